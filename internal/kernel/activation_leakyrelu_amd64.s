//go:build amd64 && !noasm

#include "textflag.h"

// func leakyReLUForwardAVX2(x, y []float32, a float32)
//
// y = x where x > 0, else a·x: both are computed and a lane mask blends them.
TEXT ·leakyReLUForwardAVX2(SB), NOSPLIT, $0-52
#define X_PTR SI
#define Y_PTR DI
#define N CX
#define ZERO Y15
#define MASK Y14
#define SLOPE Y13
	MOVQ         x_base+0(FP), X_PTR
	MOVQ         x_len+8(FP), N
	MOVQ         y_base+24(FP), Y_PTR
	VBROADCASTSS a+48(FP), SLOPE
	VXORPS       ZERO, ZERO, ZERO

loop16:
	CMPQ      N, $16
	JL        loop8
	VMOVUPS   (X_PTR), Y0
	VMOVUPS   32(X_PTR), Y3
	VCMPPS    $0x11, Y0, ZERO, Y1 // 0 < x (false for NaN)
	VCMPPS    $0x11, Y3, ZERO, Y4
	VMULPS    SLOPE, Y0, Y2
	VMULPS    SLOPE, Y3, Y5
	VBLENDVPS Y1, Y0, Y2, Y0      // mask ? x : a·x
	VBLENDVPS Y4, Y3, Y5, Y3
	VMOVUPS   Y0, (Y_PTR)
	VMOVUPS   Y3, 32(Y_PTR)
	ADDQ      $64, X_PTR
	ADDQ      $64, Y_PTR
	SUBQ      $16, N
	JMP       loop16

loop8:
	CMPQ      N, $8
	JL        tail
	VMOVUPS   (X_PTR), Y0
	VCMPPS    $0x11, Y0, ZERO, Y1
	VMULPS    SLOPE, Y0, Y2
	VBLENDVPS Y1, Y0, Y2, Y0
	VMOVUPS   Y0, (Y_PTR)
	ADDQ      $32, X_PTR
	ADDQ      $32, Y_PTR
	SUBQ      $8, N
	JMP       loop8

tail:
	TESTQ      N, N
	JZ         done
	LEAQ       ·tailMask(SB), AX
	NEGQ       N
	VMOVDQU    32(AX)(N*4), MASK
	VMASKMOVPS (X_PTR), MASK, Y0
	VCMPPS     $0x11, Y0, ZERO, Y1
	VMULPS     SLOPE, Y0, Y2
	VBLENDVPS  Y1, Y0, Y2, Y0
	VMASKMOVPS Y0, MASK, (Y_PTR)

done:
	VZEROUPPER
	RET

//go:build amd64 && !noasm

#include "textflag.h"

// func leakyReLUBackwardAVX2(x, dy, dx []float32, a float32)
//
// dx = dy where x > 0, else a·dy: a lane mask from x blends dy and a·dy.
TEXT ·leakyReLUBackwardAVX2(SB), NOSPLIT, $0-76
#define X_PTR SI
#define DY_PTR BX
#define DX_PTR DI
#define N CX
#define ZERO Y15
#define MASK Y14
#define SLOPE Y13
	MOVQ         x_base+0(FP), X_PTR
	MOVQ         x_len+8(FP), N
	MOVQ         dy_base+24(FP), DY_PTR
	MOVQ         dx_base+48(FP), DX_PTR
	VBROADCASTSS a+72(FP), SLOPE
	VXORPS       ZERO, ZERO, ZERO

loop16:
	CMPQ      N, $16
	JL        loop8
	VCMPPS    $0x11, (X_PTR), ZERO, Y1 // 0 < x (false for NaN)
	VCMPPS    $0x11, 32(X_PTR), ZERO, Y4
	VMOVUPS   (DY_PTR), Y0
	VMOVUPS   32(DY_PTR), Y3
	VMULPS    SLOPE, Y0, Y2
	VMULPS    SLOPE, Y3, Y5
	VBLENDVPS Y1, Y0, Y2, Y0           // mask ? dy : a·dy
	VBLENDVPS Y4, Y3, Y5, Y3
	VMOVUPS   Y0, (DX_PTR)
	VMOVUPS   Y3, 32(DX_PTR)
	ADDQ      $64, X_PTR
	ADDQ      $64, DY_PTR
	ADDQ      $64, DX_PTR
	SUBQ      $16, N
	JMP       loop16

loop8:
	CMPQ      N, $8
	JL        tail
	VCMPPS    $0x11, (X_PTR), ZERO, Y1
	VMOVUPS   (DY_PTR), Y0
	VMULPS    SLOPE, Y0, Y2
	VBLENDVPS Y1, Y0, Y2, Y0
	VMOVUPS   Y0, (DX_PTR)
	ADDQ      $32, X_PTR
	ADDQ      $32, DY_PTR
	ADDQ      $32, DX_PTR
	SUBQ      $8, N
	JMP       loop8

tail:
	TESTQ      N, N
	JZ         done
	LEAQ       ·tailMask(SB), AX
	NEGQ       N
	VMOVDQU    32(AX)(N*4), MASK
	VMASKMOVPS (X_PTR), MASK, Y1
	VMASKMOVPS (DY_PTR), MASK, Y0
	VCMPPS     $0x11, Y1, ZERO, Y1
	VMULPS     SLOPE, Y0, Y2
	VBLENDVPS  Y1, Y0, Y2, Y0
	VMASKMOVPS Y0, MASK, (DX_PTR)

done:
	VZEROUPPER
	RET

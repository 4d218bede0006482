//go:build amd64 && !noasm

#include "textflag.h"

// func reluBackwardAVX2(x, dy, dx []float32)
//
// dx = dy where x > 0, else 0: a compare makes a lane mask that selects dy.
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-72
#define X_PTR SI
#define DY_PTR BX
#define DX_PTR DI
#define N CX
#define ZERO Y15
#define MASK Y14
	MOVQ   x_base+0(FP), X_PTR
	MOVQ   x_len+8(FP), N
	MOVQ   dy_base+24(FP), DY_PTR
	MOVQ   dx_base+48(FP), DX_PTR
	VXORPS ZERO, ZERO, ZERO

loop16:
	CMPQ    N, $16
	JL      loop8
	VCMPPS  $0x11, (X_PTR), ZERO, Y0    // 0 < x (LT_OQ: false for NaN)
	VCMPPS  $0x11, 32(X_PTR), ZERO, Y1
	VANDPS  (DY_PTR), Y0, Y0
	VANDPS  32(DY_PTR), Y1, Y1
	VMOVUPS Y0, (DX_PTR)
	VMOVUPS Y1, 32(DX_PTR)
	ADDQ    $64, X_PTR
	ADDQ    $64, DY_PTR
	ADDQ    $64, DX_PTR
	SUBQ    $16, N
	JMP     loop16

loop8:
	CMPQ    N, $8
	JL      tail
	VCMPPS  $0x11, (X_PTR), ZERO, Y0
	VANDPS  (DY_PTR), Y0, Y0
	VMOVUPS Y0, (DX_PTR)
	ADDQ    $32, X_PTR
	ADDQ    $32, DY_PTR
	ADDQ    $32, DX_PTR
	SUBQ    $8, N
	JMP     loop8

tail:
	TESTQ      N, N
	JZ         done
	LEAQ       ·tailMask(SB), AX
	NEGQ       N
	VMOVDQU    32(AX)(N*4), MASK
	VMASKMOVPS (X_PTR), MASK, Y0
	VMASKMOVPS (DY_PTR), MASK, Y1
	VCMPPS     $0x11, Y0, ZERO, Y0
	VANDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, MASK, (DX_PTR)

done:
	VZEROUPPER
	RET

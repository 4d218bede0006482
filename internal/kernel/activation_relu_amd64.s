//go:build amd64 && !noasm

#include "textflag.h"

// func reluForwardAVX2(x, y []float32)
//
// y = max(0, x), 32 values per iteration, then 8, then a masked tail.
// VMAXPS returns its second source when either is NaN, so the source order
// below (0, then x) lets NaN through.
TEXT ·reluForwardAVX2(SB), NOSPLIT, $0-48
#define X_PTR SI
#define Y_PTR DI
#define N CX
#define ZERO Y15
#define MASK Y14
	MOVQ   x_base+0(FP), X_PTR
	MOVQ   x_len+8(FP), N
	MOVQ   y_base+24(FP), Y_PTR
	VXORPS ZERO, ZERO, ZERO

loop32:
	CMPQ    N, $32
	JL      loop8
	VMOVUPS (X_PTR), Y0
	VMOVUPS 32(X_PTR), Y1
	VMOVUPS 64(X_PTR), Y2
	VMOVUPS 96(X_PTR), Y3
	VMAXPS  Y0, ZERO, Y0
	VMAXPS  Y1, ZERO, Y1
	VMAXPS  Y2, ZERO, Y2
	VMAXPS  Y3, ZERO, Y3
	VMOVUPS Y0, (Y_PTR)
	VMOVUPS Y1, 32(Y_PTR)
	VMOVUPS Y2, 64(Y_PTR)
	VMOVUPS Y3, 96(Y_PTR)
	ADDQ    $128, X_PTR
	ADDQ    $128, Y_PTR
	SUBQ    $32, N
	JMP     loop32

loop8:
	CMPQ    N, $8
	JL      tail
	VMOVUPS (X_PTR), Y0
	VMAXPS  Y0, ZERO, Y0
	VMOVUPS Y0, (Y_PTR)
	ADDQ    $32, X_PTR
	ADDQ    $32, Y_PTR
	SUBQ    $8, N
	JMP     loop8

tail:
	TESTQ      N, N
	JZ         done
	LEAQ       ·tailMask(SB), AX
	NEGQ       N
	VMOVDQU    32(AX)(N*4), MASK
	VMASKMOVPS (X_PTR), MASK, Y0
	VMAXPS     Y0, ZERO, Y0
	VMASKMOVPS Y0, MASK, (Y_PTR)

done:
	VZEROUPPER
	RET

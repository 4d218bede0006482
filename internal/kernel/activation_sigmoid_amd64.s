//go:build amd64 && !noasm

#include "textflag.h"
#include "activation_exp_amd64.h"

// SIGMOID sets Y0 = σ(Y0), using Y1-Y5 as scratch: with e = exp(-|x|),
// σ(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0, so exp never overflows
// and the negative side keeps its relative accuracy.
#define SIGMOID \
	VORPS     C_SIGN, Y0, Y1;     \
	VEXP(Y1, Y2, Y3, Y4, Y5);     \
	VADDPS    C_ONE, Y1, Y2;      \
	VMOVUPS   C_ONE, Y3;          \
	VDIVPS    Y2, Y3, Y3;         \
	VMULPS    Y3, Y1, Y1;         \
	VBLENDVPS Y0, Y1, Y3, Y0

// func sigmoidForwardAVX2(x, y []float32)
TEXT ·sigmoidForwardAVX2(SB), NOSPLIT, $0-48
#define X_PTR SI
#define Y_PTR DI
#define N CX
#define MASK Y14
	MOVQ x_base+0(FP), X_PTR
	MOVQ x_len+8(FP), N
	MOVQ y_base+24(FP), Y_PTR

loop8:
	CMPQ    N, $8
	JL      tail
	VMOVUPS (X_PTR), Y0
	SIGMOID
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
	SIGMOID
	VMASKMOVPS Y0, MASK, (Y_PTR)

done:
	VZEROUPPER
	RET

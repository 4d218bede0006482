//go:build amd64 && !noasm

#include "textflag.h"
#include "activation_exp_amd64.h"

// SIGMOID512 sets Z0 = σ(Z0), using Z1-Z4 and K1 as scratch: with
// e = exp(-|x|), σ(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0 (by the
// sign bit), so exp never overflows and the negative side keeps its
// relative accuracy.
#define SIGMOID512 \
	VPORD    SIGN512, Z0, Z1;     \
	VEXP512(Z1, Z2, Z3, Z4);      \
	VADDPS   ONE512, Z1, Z2;      \
	RECIP512(Z2, Z3, Z4);         \
	VMULPS   Z3, Z1, Z1;          \
	VPTESTMD SIGN512, Z0, K1;     \
	VMOVAPS  Z1, K1, Z3;          \
	VMOVAPS  Z3, Z0

// func sigmoidForwardAVX512(x, y []float32)
TEXT ·sigmoidForwardAVX512(SB), NOSPLIT, $0-48
#define X_PTR SI
#define Y_PTR DI
#define N CX
	MOVQ x_base+0(FP), X_PTR
	MOVQ x_len+8(FP), N
	MOVQ y_base+24(FP), Y_PTR
	LOAD_EXP512_CONSTS

loop16:
	CMPQ    N, $16
	JL      tail
	VMOVUPS (X_PTR), Z0
	SIGMOID512
	VMOVUPS Z0, (Y_PTR)
	ADDQ    $64, X_PTR
	ADDQ    $64, Y_PTR
	SUBQ    $16, N
	JMP     loop16

tail:
	TESTQ     N, N
	JZ        done
	MOVL      $1, AX
	SHLL      CX, AX
	DECL      AX
	KMOVW     AX, K2
	VMOVUPS.Z (X_PTR), K2, Z0
	SIGMOID512
	VMOVUPS   Z0, K2, (Y_PTR)

done:
	VZEROUPPER
	RET

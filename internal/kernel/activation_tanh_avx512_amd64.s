//go:build amd64 && !noasm

#include "textflag.h"
#include "activation_exp_amd64.h"

#define ABS512 Z20
#define THRESHOLD512 Z19
#define T0_512 Z18
#define T1_512 Z17
#define T2_512 Z16
#define T3_512 Z15
#define T4_512 Z14

// TANH512 sets Z0 = tanh(Z0), using Z1-Z7 and K1 as scratch, as the AVX2
// kernel does: a = |x|; below 0.625 Cephes's a + a·z·T(z), z = a², else
// (1-e)/(1+e) with e = exp(-2a); then the sign of x.
#define TANH512 \
	VPANDD      ABS512, Z0, Z6;          \
	VADDPS      Z6, Z6, Z1;              \
	VPORD       SIGN512, Z1, Z1;         \
	VEXP512(Z1, Z2, Z3, Z4);             \
	VSUBPS      Z1, ONE512, Z3;          \
	VADDPS      ONE512, Z1, Z2;          \
	RECIP512(Z2, Z5, Z4);                \
	VMULPS      Z5, Z3, Z3;              \
	VMULPS      Z6, Z6, Z7;              \
	VMOVAPS     T0_512, Z2;              \
	VFMADD213PS T1_512, Z7, Z2;          \
	VFMADD213PS T2_512, Z7, Z2;          \
	VFMADD213PS T3_512, Z7, Z2;          \
	VFMADD213PS T4_512, Z7, Z2;          \
	VMULPS      Z6, Z7, Z7;              \
	VFMADD213PS Z6, Z7, Z2;              \
	VCMPPS      $0x11, THRESHOLD512, Z6, K1; \
	VMOVAPS     Z2, K1, Z3;              \
	VPANDD      SIGN512, Z0, Z0;         \
	VPORD       Z3, Z0, Z0

// func tanhForwardAVX512(x, y []float32)
TEXT ·tanhForwardAVX512(SB), NOSPLIT, $0-48
#define X_PTR SI
#define Y_PTR DI
#define N CX
	MOVQ x_base+0(FP), X_PTR
	MOVQ x_len+8(FP), N
	MOVQ y_base+24(FP), Y_PTR
	LOAD_EXP512_CONSTS
	VBROADCASTSS C_ABS, ABS512
	VBROADCASTSS C_TANH_THRESHOLD, THRESHOLD512
	VBROADCASTSS C_T0, T0_512
	VBROADCASTSS C_T1, T1_512
	VBROADCASTSS C_T2, T2_512
	VBROADCASTSS C_T3, T3_512
	VBROADCASTSS C_T4, T4_512

loop16:
	CMPQ    N, $16
	JL      tail
	VMOVUPS (X_PTR), Z0
	TANH512
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
	TANH512
	VMOVUPS   Z0, K2, (Y_PTR)

done:
	VZEROUPPER
	RET

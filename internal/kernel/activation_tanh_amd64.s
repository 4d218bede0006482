//go:build amd64 && !noasm

#include "textflag.h"
#include "activation_exp_amd64.h"

// TANH sets Y0 = tanh(Y0), using Y1-Y7 as scratch. With a = |x|: below
// 0.625 Cephes's odd polynomial a + a·z·T(z), z = a², which keeps the
// relative accuracy that (1-e)/(1+e) loses to cancellation near 0; above,
// (1-e)/(1+e) with e = exp(-2a). The sign of x is put back last.
#define TANH \
	VANDPS      C_ABS, Y0, Y6;               \
	VADDPS      Y6, Y6, Y1;                  \
	VXORPS      C_SIGN, Y1, Y1;              \
	VEXP(Y1, Y2, Y3, Y4, Y5);                \
	VMOVUPS     C_ONE, Y2;                   \
	VSUBPS      Y1, Y2, Y3;                  \
	VADDPS      Y1, Y2, Y2;                  \
	VDIVPS      Y2, Y3, Y3;                  \
	VMULPS      Y6, Y6, Y7;                  \
	VMOVUPS     C_T0, Y2;                    \
	VFMADD213PS C_T1, Y7, Y2;                \
	VFMADD213PS C_T2, Y7, Y2;                \
	VFMADD213PS C_T3, Y7, Y2;                \
	VFMADD213PS C_T4, Y7, Y2;                \
	VMULPS      Y6, Y7, Y7;                  \
	VFMADD213PS Y6, Y7, Y2;                  \
	VCMPPS      $0x11, C_TANH_THRESHOLD, Y6, Y7; \
	VBLENDVPS   Y7, Y2, Y3, Y3;              \
	VANDPS      C_SIGN, Y0, Y0;              \
	VORPS       Y3, Y0, Y0

// func tanhForwardAVX2(x, y []float32)
TEXT ·tanhForwardAVX2(SB), NOSPLIT, $0-48
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
	TANH
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
	TANH
	VMASKMOVPS Y0, MASK, (Y_PTR)

done:
	VZEROUPPER
	RET

//go:build amd64 && !noasm

#include "textflag.h"
#include "prefetchw_amd64.h"

// Plain and Nesterov SGD steps. Products and sums are separate
// instructions in the scalar reference's order, so the bits are the same;
// the weights are prefetched for writing (PREFETCHW_W).

// SGD_VEC is w = w - lr·(g + wd·w) on the lanes in mask K at offset AX of
// w (DI) and g (SI); lr in Z4, wd in Z6.
#define SGD_VEC(K) \
	VMOVUPS.Z (DI)(AX*1), K, Z0 ; \
	VMOVUPS.Z (SI)(AX*1), K, Z1 ; \
	VMULPS    Z6, Z0, Z2 ; \
	VADDPS    Z2, Z1, Z1 ; \
	VMULPS    Z4, Z1, Z1 ; \
	VSUBPS    Z1, Z0, Z0 ; \
	VMOVUPS   Z0, K, (DI)(AX*1)

// func sgdStepAVX512(w, grad *float32, vecs int, mask uint16, lr, wd float32)
TEXT ·sgdStepAVX512(SB), NOSPLIT, $0-36
	MOVQ         w+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         vecs+16(FP), CX
	KMOVW        mask+24(FP), K1
	KXNORW       K2, K2, K2
	VBROADCASTSS lr+28(FP), Z4
	VBROADCASTSS wd+32(FP), Z6
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           sgdTail

sgdLoop:
	PREFETCHW_W
	SGD_VEC(K2)
	ADDQ $64, AX
	DECQ CX
	JNZ  sgdLoop

sgdTail:
	SGD_VEC(K1)
	VZEROUPPER
	RET

// NESTEROV_VEC is d = g + wd·w, b = mu·b + d, w = w - lr·(d + mu·b) on the
// lanes in mask K at offset AX of w (DI), g (SI) and b (DX); lr in Z4, mu
// in Z5, wd in Z6.
#define NESTEROV_VEC(K) \
	VMOVUPS.Z (DI)(AX*1), K, Z0 ; \
	VMOVUPS.Z (SI)(AX*1), K, Z1 ; \
	VMULPS    Z6, Z0, Z2 ; \
	VADDPS    Z2, Z1, Z1 ; \
	VMOVUPS.Z (DX)(AX*1), K, Z3 ; \
	VMULPS    Z5, Z3, Z3 ; \
	VADDPS    Z1, Z3, Z3 ; \
	VMOVUPS   Z3, K, (DX)(AX*1) ; \
	VMULPS    Z5, Z3, Z3 ; \
	VADDPS    Z3, Z1, Z1 ; \
	VMULPS    Z4, Z1, Z1 ; \
	VSUBPS    Z1, Z0, Z0 ; \
	VMOVUPS   Z0, K, (DI)(AX*1)

// func nesterovStepAVX512(w, grad, b *float32, vecs int, mask uint16, lr, mu, wd float32)
TEXT ·nesterovStepAVX512(SB), NOSPLIT, $0-48
	MOVQ         w+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         vecs+24(FP), CX
	KMOVW        mask+32(FP), K1
	KXNORW       K2, K2, K2
	VBROADCASTSS lr+36(FP), Z4
	VBROADCASTSS mu+40(FP), Z5
	VBROADCASTSS wd+44(FP), Z6
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           nesterovTail

nesterovLoop:
	PREFETCHW_W
	NESTEROV_VEC(K2)
	ADDQ $64, AX
	DECQ CX
	JNZ  nesterovLoop

nesterovTail:
	NESTEROV_VEC(K1)
	VZEROUPPER
	RET

//go:build amd64 && !noasm

#include "textflag.h"
#include "prefetchw_amd64.h"

// ADAM_VEC is AdamStep on the lanes in mask K of the 16 at offset AX of
// w (DI), g (SI), m (DX) and v (R8): w·Shrink in Z0, g' = g + WD·w in Z1,
// m = B1·m + C1·g' in Z3, v = B2·v + (C2·g')·g' in Z5, the denominator
// sqrt(v)/BC2Sqrt + Eps in Z7, and w + (NegStep·m)/denominator. Products
// and sums are separate instructions, as in the scalar reference, so the
// bits are the same.
#define ADAM_VEC(K) \
	VMOVUPS.Z (DI)(AX*1), K, Z0 ; \
	VMULPS    Z20, Z0, Z0 ; \
	VMOVUPS.Z (SI)(AX*1), K, Z1 ; \
	VMULPS    Z21, Z0, Z2 ; \
	VADDPS    Z2, Z1, Z1 ; \
	VMOVUPS.Z (DX)(AX*1), K, Z3 ; \
	VMULPS    Z22, Z3, Z3 ; \
	VMULPS    Z23, Z1, Z4 ; \
	VADDPS    Z4, Z3, Z3 ; \
	VMOVUPS   Z3, K, (DX)(AX*1) ; \
	VMOVUPS.Z (R8)(AX*1), K, Z5 ; \
	VMULPS    Z24, Z5, Z5 ; \
	VMULPS    Z25, Z1, Z6 ; \
	VMULPS    Z1, Z6, Z6 ; \
	VADDPS    Z6, Z5, Z5 ; \
	VMOVUPS   Z5, K, (R8)(AX*1) ; \
	VSQRTPS   Z5, Z7 ; \
	VDIVPS    Z26, Z7, Z7 ; \
	VADDPS    Z27, Z7, Z7 ; \
	VMULPS    Z28, Z3, Z8 ; \
	VDIVPS    Z7, Z8, Z8 ; \
	VADDPS    Z8, Z0, Z0 ; \
	VMOVUPS   Z0, K, (DI)(AX*1)

// func adamStepAVX512(w, grad, m, v *float32, vecs int, mask uint16, k *AdamConsts)
TEXT ·adamStepAVX512(SB), NOSPLIT, $0-56
	MOVQ         w+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), DX
	MOVQ         v+24(FP), R8
	MOVQ         vecs+32(FP), CX
	KMOVW        mask+40(FP), K1
	KXNORW       K2, K2, K2 // all 16 lanes
	MOVQ         k+48(FP), AX
	VBROADCASTSS 0(AX), Z20  // Shrink
	VBROADCASTSS 4(AX), Z21  // WD
	VBROADCASTSS 8(AX), Z22  // B1
	VBROADCASTSS 12(AX), Z23 // C1
	VBROADCASTSS 16(AX), Z24 // B2
	VBROADCASTSS 20(AX), Z25 // C2
	VBROADCASTSS 24(AX), Z26 // BC2Sqrt
	VBROADCASTSS 28(AX), Z27 // Eps
	VBROADCASTSS 32(AX), Z28 // NegStep
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           tail

loop:
	PREFETCHW_W
	ADAM_VEC(K2)
	ADDQ $64, AX
	DECQ CX
	JNZ  loop

tail:
	ADAM_VEC(K1)
	VZEROUPPER
	RET

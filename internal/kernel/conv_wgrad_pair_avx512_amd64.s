//go:build amd64 && !noasm

#include "textflag.h"

// convWgradPairAVX512 is convWgradAVX512 (conv_wgrad_avx512_amd64.s) for a
// block of 2 rows × 4 taps: sum (t·2 + r) in Z(t·2 + r). Each step of 16
// pixels loads the 2 rows of a into Z24-Z25 and each tap's 16 pixels of b
// into Z30 or Z31, then does 2 FMAs per tap: 8 FMAs for 6 loads, and 8
// sums, enough to keep both FMA pipes busy through their latency.

// func convWgradPairAVX512(a *float32, lda int, b *float32, off *[4]int, st *convWgradSteps, ne int, acc *[128]float32)
TEXT ·convWgradPairAVX512(SB), NOSPLIT, $0-56
	MOVQ    acc+48(FP), AX
	VMOVUPS 0(AX), Z0
	VMOVUPS 64(AX), Z1
	VMOVUPS 128(AX), Z2
	VMOVUPS 192(AX), Z3
	VMOVUPS 256(AX), Z4
	VMOVUPS 320(AX), Z5
	VMOVUPS 384(AX), Z6
	VMOVUPS 448(AX), Z7
	MOVQ    a+0(FP), SI
	MOVQ    lda+8(FP), R11
	SHLQ    $2, R11
	MOVQ    b+16(FP), DI
	MOVQ    off+24(FP), AX
	MOVQ    0(AX), R12
	MOVQ    8(AX), R13
	MOVQ    16(AX), R14
	MOVQ    24(AX), R8
	MOVQ    st+32(FP), R15
	MOVQ    0(R15), DX // vecs
	// R10 and AX: the steps from the end of one row to the next.
	MOVQ    16(R15), R10
	MOVQ    24(R15), AX
	MOVQ    ne+40(FP), BX

example:
	MOVQ st+32(FP), R15
	MOVQ 8(R15), R15 // rows

row:
	MOVQ    DX, CX
	PCALIGN $64

step:
	VMOVUPS     (SI), Z24
	VMOVUPS     (SI)(R11*1), Z25
	VMOVUPS     (DI)(R12*4), Z30
	VFMADD231PS Z30, Z24, Z0
	VFMADD231PS Z30, Z25, Z1
	VMOVUPS     (DI)(R13*4), Z31
	VFMADD231PS Z31, Z24, Z2
	VFMADD231PS Z31, Z25, Z3
	VMOVUPS     (DI)(R14*4), Z30
	VFMADD231PS Z30, Z24, Z4
	VFMADD231PS Z30, Z25, Z5
	VMOVUPS     (DI)(R8*4), Z31
	VFMADD231PS Z31, Z24, Z6
	VFMADD231PS Z31, Z25, Z7
	ADDQ        $64, SI
	ADDQ        $64, DI
	DECQ        CX
	JNZ         step

	ADDQ R10, SI
	ADDQ AX, DI
	DECQ R15
	JNZ  row

	MOVQ st+32(FP), R15
	ADDQ 32(R15), SI // aEx
	ADDQ 40(R15), DI // bEx
	DECQ BX
	JNZ  example

	MOVQ    acc+48(FP), AX
	VMOVUPS Z0, 0(AX)
	VMOVUPS Z1, 64(AX)
	VMOVUPS Z2, 128(AX)
	VMOVUPS Z3, 192(AX)
	VMOVUPS Z4, 256(AX)
	VMOVUPS Z5, 320(AX)
	VMOVUPS Z6, 384(AX)
	VMOVUPS Z7, 448(AX)
	VZEROUPPER
	RET

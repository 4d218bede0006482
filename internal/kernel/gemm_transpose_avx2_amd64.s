//go:build amd64 && !noasm

#include "textflag.h"

// gemmTranspose8AVX2 transposes an 8×k block, k a multiple of 8, eight
// columns at a time: it loads an 8×8 block into eight ymm registers,
// transposes it in registers with the usual unpack, shuffle and lane-permute
// ladder, and stores the eight columns as rows.

#define CNT CX
#define S0 SI
#define S3 R8
#define S6 R9
#define LDS R10
#define D0 DI
#define D3 R11
#define D6 R12
#define LDD R13
#define DSTEP AX

// func gemmTranspose8AVX2(k int, src []float32, lds int, dst []float32, ldd int)
TEXT ·gemmTranspose8AVX2(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CNT
	MOVQ src_base+8(FP), S0
	MOVQ lds+32(FP), LDS
	MOVQ dst_base+40(FP), D0
	MOVQ ldd+64(FP), LDD
	SHLQ $2, LDS
	SHLQ $2, LDD
	SHRQ $3, CNT
	LEAQ (LDS)(LDS*2), DX
	LEAQ (S0)(DX*1), S3
	LEAQ (S3)(DX*1), S6
	LEAQ (LDD)(LDD*2), DX
	LEAQ (D0)(DX*1), D3
	LEAQ (D3)(DX*1), D6
	MOVQ LDD, DSTEP
	SHLQ $3, DSTEP

loop:
	// Rows a..h of the block, eight values each.
	VMOVUPS (S0), Y0
	VMOVUPS (S0)(LDS*1), Y1
	VMOVUPS (S0)(LDS*2), Y2
	VMOVUPS (S3), Y3
	VMOVUPS (S3)(LDS*1), Y4
	VMOVUPS (S3)(LDS*2), Y5
	VMOVUPS (S6), Y6
	VMOVUPS (S6)(LDS*1), Y7

	// Interleave pairs of rows: a0 b0 a1 b1 | a4 b4 a5 b5, and so on.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	// Gather four rows per column: a0 b0 c0 d0 | a4 b4 c4 d4, and so on.
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	// Join the 128-bit halves: column q of the block lands in Y8+q.
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	VMOVUPS Y8, (D0)
	VMOVUPS Y9, (D0)(LDD*1)
	VMOVUPS Y10, (D0)(LDD*2)
	VMOVUPS Y11, (D3)
	VMOVUPS Y12, (D3)(LDD*1)
	VMOVUPS Y13, (D3)(LDD*2)
	VMOVUPS Y14, (D6)
	VMOVUPS Y15, (D6)(LDD*1)

	ADDQ $32, S0
	ADDQ $32, S3
	ADDQ $32, S6
	ADDQ DSTEP, D0
	ADDQ DSTEP, D3
	ADDQ DSTEP, D6
	DECQ CNT
	JNZ  loop
	VZEROUPPER
	RET

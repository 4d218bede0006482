//go:build amd64 && !noasm

#include "textflag.h"

// gemmCopyRowsAVX2 copies k rows of n values, n a multiple of 8, eight
// values (one ymm register) at a time.

// func gemmCopyRowsAVX2(k, n int, src []float32, lds int, dst []float32)
TEXT ·gemmCopyRowsAVX2(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CX
	MOVQ n+8(FP), R8
	MOVQ src_base+16(FP), SI
	MOVQ lds+40(FP), R9
	MOVQ dst_base+48(FP), DI
	SHLQ $2, R9
	SHRQ $3, R8

row:
	MOVQ R8, BX
	XORQ AX, AX

chunk:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    BX
	JNZ     chunk

	ADDQ R9, SI
	ADDQ AX, DI
	DECQ CX
	JNZ  row
	VZEROUPPER
	RET

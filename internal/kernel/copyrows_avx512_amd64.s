//go:build amd64 && !noasm

#include "textflag.h"

// func copyRowsAVX512(dst *float32, ldd int, src *float32, lds, rows, vecs int, mask uint16)
TEXT ·copyRowsAVX512(SB), NOSPLIT, $0-50
	MOVQ  dst+0(FP), DI
	MOVQ  ldd+8(FP), R8
	SHLQ  $2, R8
	MOVQ  src+16(FP), SI
	MOVQ  lds+24(FP), R9
	SHLQ  $2, R9
	MOVQ  rows+32(FP), CX
	MOVQ  vecs+40(FP), DX
	KMOVW mask+48(FP), K1

row:
	XORQ  R10, R10
	MOVQ  DX, R11
	TESTQ R11, R11
	JZ    tail

vec:
	VMOVUPS (SI)(R10*1), Z0
	VMOVUPS Z0, (DI)(R10*1)
	ADDQ    $64, R10
	DECQ    R11
	JNZ     vec

tail:
	VMOVUPS.Z (SI)(R10*1), K1, Z0
	VMOVUPS   Z0, K1, (DI)(R10*1)
	ADDQ      R9, SI
	ADDQ      R8, DI
	DECQ      CX
	JNZ       row
	VZEROUPPER
	RET

//go:build amd64 && !noasm

#include "textflag.h"

// func copyPlanesAVX512(dst *float32, ldd, dp int, src *float32, lds, sp, planes, rows, vecs int, mask uint16)
//
// R12, R13: the current plane of dst and src; DI, SI: the current row.
TEXT ·copyPlanesAVX512(SB), NOSPLIT, $0-74
	MOVQ  dst+0(FP), R12
	MOVQ  ldd+8(FP), R8
	MOVQ  src+24(FP), R13
	MOVQ  lds+32(FP), R9
	MOVQ  planes+48(FP), BX
	MOVQ  vecs+64(FP), DX
	KMOVW mask+72(FP), K1
	MOVW  mask+72(FP), AX
	TESTQ DX, DX
	JNZ   plane
	CMPW  AX, $0xff
	JEQ   plane8

plane:
	MOVQ R12, DI
	MOVQ R13, SI
	MOVQ rows+56(FP), CX

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
	TESTW     AX, AX
	JZ        next
	VMOVUPS.Z (SI)(R10*1), K1, Z0
	VMOVUPS   Z0, K1, (DI)(R10*1)

next:
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  row
	ADDQ dp+16(FP), R12
	ADDQ sp+40(FP), R13
	DECQ BX
	JNZ  plane
	VZEROUPPER
	RET

// Rows of 8 values: one ymm move each.
plane8:
	MOVQ R12, DI
	MOVQ R13, SI
	MOVQ rows+56(FP), CX

row8:
	VMOVUPS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ    R9, SI
	ADDQ    R8, DI
	DECQ    CX
	JNZ     row8
	ADDQ    dp+16(FP), R12
	ADDQ    sp+40(FP), R13
	DECQ    BX
	JNZ     plane8
	VZEROUPPER
	RET

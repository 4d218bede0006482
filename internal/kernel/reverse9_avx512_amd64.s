//go:build amd64 && !noasm

#include "textflag.h"

// Lane j of the permutation takes lane 8-j (lanes 9-15 are masked off).
DATA reverse9Index<>+0(SB)/4, $8
DATA reverse9Index<>+4(SB)/4, $7
DATA reverse9Index<>+8(SB)/4, $6
DATA reverse9Index<>+12(SB)/4, $5
DATA reverse9Index<>+16(SB)/4, $4
DATA reverse9Index<>+20(SB)/4, $3
DATA reverse9Index<>+24(SB)/4, $2
DATA reverse9Index<>+28(SB)/4, $1
DATA reverse9Index<>+32(SB)/4, $0
DATA reverse9Index<>+36(SB)/4, $0
DATA reverse9Index<>+40(SB)/4, $0
DATA reverse9Index<>+44(SB)/4, $0
DATA reverse9Index<>+48(SB)/4, $0
DATA reverse9Index<>+52(SB)/4, $0
DATA reverse9Index<>+56(SB)/4, $0
DATA reverse9Index<>+60(SB)/4, $0
GLOBL reverse9Index<>(SB), RODATA|NOPTR, $64

// func reverse9AVX512(dst *float32, ldd int, src *float32, n int)
TEXT ·reverse9AVX512(SB), NOSPLIT, $0-32
	MOVQ    dst+0(FP), DI
	MOVQ    ldd+8(FP), R8
	SHLQ    $2, R8
	MOVQ    src+16(FP), SI
	MOVQ    n+24(FP), CX
	MOVL    $0x1ff, AX
	KMOVW   AX, K1
	VMOVUPS reverse9Index<>(SB), Z2

loop:
	VMOVUPS.Z (SI), K1, Z0
	VPERMPS   Z0, Z2, Z1
	VMOVUPS   Z1, K1, (DI)
	ADDQ      $36, SI
	ADDQ      R8, DI
	DECQ      CX
	JNZ       loop
	VZEROUPPER
	RET

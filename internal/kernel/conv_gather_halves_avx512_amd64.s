//go:build amd64 && !noasm

#include "textflag.h"

// convGatherHalvesAVX512 packs k rows of w (16 or 32) lanes from the padded
// image, each half of a row (lanes 0-15 into Z0, 16-31 into Z1) merged from
// up to three masked loads whose masks (K1-K3, K4-K6) and displacements
// (BX, R8, R9; R11, R12, R13) are loaded once for all the rows. An unused
// load has mask 0: it reads nothing and cannot fault.

// func convGatherHalvesAVX512(k int, xp *float32, off *int32, m *[6]uint16, d *[6]int, dst *float32, ldd, w int)
TEXT ·convGatherHalvesAVX512(SB), NOSPLIT, $0-64
	MOVQ  m+24(FP), AX
	KMOVW 0(AX), K1
	KMOVW 2(AX), K2
	KMOVW 4(AX), K3
	KMOVW 6(AX), K4
	KMOVW 8(AX), K5
	KMOVW 10(AX), K6
	MOVQ  d+32(FP), AX
	MOVQ  0(AX), BX
	MOVQ  8(AX), R8
	MOVQ  16(AX), R9
	MOVQ  24(AX), R11
	MOVQ  32(AX), R12
	MOVQ  40(AX), R13
	MOVQ  k+0(FP), CX
	MOVQ  xp+8(FP), SI
	MOVQ  off+16(FP), DI
	MOVQ  dst+40(FP), DX
	MOVQ  ldd+48(FP), R10
	SHLQ  $2, R10
	MOVQ  w+56(FP), R14
	TESTQ CX, CX
	JZ    done

row:
	MOVLQSX (DI), AX
	LEAQ    (SI)(AX*4), AX
	VPXORD  Z0, Z0, Z0
	VMOVUPS (AX)(BX*4), K1, Z0
	VMOVUPS (AX)(R8*4), K2, Z0
	VMOVUPS (AX)(R9*4), K3, Z0
	VMOVUPS Z0, (DX)
	CMPQ    R14, $16
	JEQ     next
	VPXORD  Z1, Z1, Z1
	VMOVUPS 64(AX)(R11*4), K4, Z1
	VMOVUPS 64(AX)(R12*4), K5, Z1
	VMOVUPS 64(AX)(R13*4), K6, Z1
	VMOVUPS Z1, 64(DX)

next:
	ADDQ $4, DI
	ADDQ R10, DX
	DECQ CX
	JNZ  row

done:
	VZEROUPPER
	RET

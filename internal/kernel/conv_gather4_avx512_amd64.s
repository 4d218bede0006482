//go:build amd64 && !noasm

#include "textflag.h"

// convGather4AVX512 is convGatherAVX512 for full rows of 32 lanes whose
// four quarters each come from one run of 8 pixels (output widths that are
// multiples of 8): a row is four 8-value loads, two of them inserted into
// the upper halves, and two stores.

#define K_ CX
#define OFF DI
#define DST DX
#define LDD R10
#define P0 R8
#define P1 R9
#define P2 R11
#define P3 R12
#define ROW AX

// func convGather4AVX512(k int, xp []float32, off []int32, d *[4]int, dst []float32, ldd int)
TEXT ·convGather4AVX512(SB), NOSPLIT, $0-96
	MOVQ k+0(FP), K_
	MOVQ xp_base+8(FP), SI
	MOVQ off_base+32(FP), OFF
	MOVQ d+56(FP), BX
	MOVQ dst_base+64(FP), DST
	MOVQ ldd+88(FP), LDD
	SHLQ $2, LDD
	MOVQ 0(BX), P0
	LEAQ (SI)(P0*4), P0
	MOVQ 8(BX), P1
	LEAQ 32(SI)(P1*4), P1
	MOVQ 16(BX), P2
	LEAQ 64(SI)(P2*4), P2
	MOVQ 24(BX), P3
	LEAQ 96(SI)(P3*4), P3
	TESTQ K_, K_
	JZ    done

row:
	MOVLQSX      (OFF), ROW
	VMOVUPS      (P0)(ROW*4), Y0
	VINSERTF32X8 $1, (P1)(ROW*4), Z0, Z0
	VMOVUPS      (P2)(ROW*4), Y1
	VINSERTF32X8 $1, (P3)(ROW*4), Z1, Z1
	VMOVUPS      Z0, (DST)
	VMOVUPS      Z1, 64(DST)
	ADDQ         $4, OFF
	ADDQ         LDD, DST
	DECQ         K_
	JNZ          row

done:
	VZEROUPPER
	RET

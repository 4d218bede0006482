//go:build amd64 && !noasm

#include "textflag.h"

// convGather2AVX512 is convGatherAVX512 for rows whose lanes 0-15 and
// 16-31 each come from one run of pixels: the masks stay in K1 and K2 and
// the displacements in registers, and a row is two masked loads (zeroing
// the lanes outside the mask) and two plain stores.

#define K_ CX
#define XP SI
#define OFF DI
#define DST DX
#define LDD R10
#define D0 R8
#define D1 R9
#define ROW AX
#define ROW2 BX

// func convGather2AVX512(k int, xp []float32, off []int32, m0, m1 uint16, d0, d1 int, dst []float32, ldd int)
TEXT ·convGather2AVX512(SB), NOSPLIT, $0-112
	MOVQ  k+0(FP), K_
	MOVQ  xp_base+8(FP), XP
	MOVQ  off_base+32(FP), OFF
	KMOVW m0+56(FP), K1
	KMOVW m1+58(FP), K2
	MOVQ  d0+64(FP), D0
	MOVQ  d1+72(FP), D1
	MOVQ  dst_base+80(FP), DST
	MOVQ  ldd+104(FP), LDD
	SHLQ  $2, LDD
	LEAQ  (XP)(D0*4), D0
	LEAQ  (XP)(D1*4), D1
	SHRQ  $1, K_
	JZ    odd

rows2:
	MOVLQSX   (OFF), ROW
	MOVLQSX   4(OFF), ROW2
	VMOVUPS.Z (D0)(ROW*4), K1, Z0
	VMOVUPS.Z 64(D1)(ROW*4), K2, Z1
	VMOVUPS.Z (D0)(ROW2*4), K1, Z2
	VMOVUPS.Z 64(D1)(ROW2*4), K2, Z3
	VMOVUPS   Z0, (DST)
	VMOVUPS   Z1, 64(DST)
	VMOVUPS   Z2, (DST)(LDD*1)
	VMOVUPS   Z3, 64(DST)(LDD*1)
	ADDQ      $8, OFF
	LEAQ      (DST)(LDD*2), DST
	DECQ      K_
	JNZ       rows2

odd:
	TESTQ $1, k+0(FP)
	JZ    done
	MOVLQSX   (OFF), ROW
	VMOVUPS.Z (D0)(ROW*4), K1, Z0
	VMOVUPS.Z 64(D1)(ROW*4), K2, Z1
	VMOVUPS   Z0, (DST)
	VMOVUPS   Z1, 64(DST)

done:
	VZEROUPPER
	RET

//go:build amd64 && !noasm

#include "textflag.h"
#include "tile8x32_avx512_amd64.h"

// convKernelAVX512 is gemmKernelAVX512 with B read straight from a padded
// image instead of a packed panel: the 32 values of step p are two runs of
// 16 pixels, at xp[x0 + off[p]] and xp[x1 + off[p]], loaded with the
// column masks K1 and K2 so that lanes past n read nothing. A is read in
// place with rows ars apart and consecutive k (aks = 1). LDC's register
// holds off[p] during the sums and is reloaded for the stores. Alpha is 1:
// the sums are stored, or added to beta·C, as they are.
//
// With ones set, B's last row is known to be all ones (a plane of ones
// after the image, against a bias column of A): the last step adds A's
// column to the sums instead of multiplying it by ones, on the adders
// rather than the FMA units. An FMA with 1.0 rounds as the add does, so
// the bits are the same.

#define MM R13
#define KK CX
#define ABASE BX
#define A0P SI
#define A3P R9
#define A6P R10
#define ARS R11
#define OFFP R12
#define XB0 DI
#define XB1 R14
#define CPTR DX
#define LDC R8
#define T R8
#define B0 Z16
#define B1 Z17
#define A0 Z18
#define A1 Z19
#define A2 Z20
#define A3 Z21

#define STEP \
	MOVLQSX      (OFFP), T ; \
	VMOVUPS.Z    (XB0)(T*4), K1, B0 ; \
	VMOVUPS.Z    (XB1)(T*4), K2, B1 ; \
	FMA_8X32 ; \
	ADDQ         $4, A0P ; \
	ADDQ         $4, A3P ; \
	ADDQ         $4, A6P ; \
	ADDQ         $4, OFFP

// ADD_ROWS adds the step's 8 values of A, broadcast, to the tile's rows:
// C[i][0:32] += A[i][p].
#define ADD_ROWS \
	VBROADCASTSS (A0P), A0 ; \
	VBROADCASTSS (A0P)(ARS*1), A1 ; \
	VBROADCASTSS (A0P)(ARS*2), A2 ; \
	VBROADCASTSS (A3P), A3 ; \
	VADDPS       A0, Z0, Z0 ; \
	VADDPS       A0, Z1, Z1 ; \
	VADDPS       A1, Z2, Z2 ; \
	VADDPS       A1, Z3, Z3 ; \
	VADDPS       A2, Z4, Z4 ; \
	VADDPS       A2, Z5, Z5 ; \
	VADDPS       A3, Z6, Z6 ; \
	VADDPS       A3, Z7, Z7 ; \
	VBROADCASTSS (A3P)(ARS*1), A0 ; \
	VBROADCASTSS (A3P)(ARS*2), A1 ; \
	VBROADCASTSS (A6P), A2 ; \
	VBROADCASTSS (A6P)(ARS*1), A3 ; \
	VADDPS       A0, Z8, Z8 ; \
	VADDPS       A0, Z9, Z9 ; \
	VADDPS       A1, Z10, Z10 ; \
	VADDPS       A1, Z11, Z11 ; \
	VADDPS       A2, Z12, Z12 ; \
	VADDPS       A2, Z13, Z13 ; \
	VADDPS       A3, Z14, Z14 ; \
	VADDPS       A3, Z15, Z15

#define ROW_BETA(r, acc0, acc1) \
	VMOVUPS.Z   (r), K1, A2 ; \
	VMOVUPS.Z   64(r), K2, A3 ; \
	VFMADD231PS A2, A1, acc0 ; \
	VFMADD231PS A3, A1, acc1 ; \
	VMOVUPS     acc0, K1, (r) ; \
	VMOVUPS     acc1, K2, 64(r)

#define ROW_STORE(r, acc0, acc1) \
	VMOVUPS acc0, K1, (r) ; \
	VMOVUPS acc1, K2, 64(r)

#define ROWS(op, done) \
	MOVQ CPTR, AX ; \
	op(AX, Z0, Z1) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z2, Z3) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z4, Z5) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z6, Z7) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z8, Z9) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z10, Z11) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z12, Z13) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z14, Z15)

// func convKernelAVX512(m, n, k int, a []float32, ars int, xp []float32, off []int32, x0, x1 int, c []float32, ldc int, beta float32, ones bool)
TEXT ·convKernelAVX512(SB), NOSPLIT, $0-157
	MOVQ m+0(FP), MM
	MOVQ a_base+24(FP), ABASE
	MOVQ ars+48(FP), ARS
	MOVQ xp_base+56(FP), AX
	MOVQ x0+104(FP), XB0
	LEAQ (AX)(XB0*4), XB0
	MOVQ x1+112(FP), XB1
	LEAQ (AX)(XB1*4), XB1
	MOVQ c_base+120(FP), CPTR
	SHLQ $2, ARS

	MOVQ n+8(FP), CX
	COLUMN_MASKS

tile:
	MOVQ ldc+144(FP), LDC
	SHLQ $2, LDC
	MOVQ CPTR, AX
	PREFETCH_TILE

	MOVQ    k+16(FP), KK
	MOVBLZX ones+156(FP), AX
	SUBQ    AX, KK
	MOVQ    off_base+80(FP), OFFP
	ROW_POINTERS

	ZERO_TILE

	MOVQ KK, AX
	SHRQ $2, AX
	JZ   tail

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ AX
	JNZ  loop4

tail:
	ANDQ $3, KK
	JZ   bias

loop1:
	STEP
	DECQ KK
	JNZ  loop1

bias:
	MOVBLZX ones+156(FP), AX
	TESTL   AX, AX
	JZ      store
	ADD_ROWS

store:
	MOVQ ldc+144(FP), LDC
	SHLQ $2, LDC
	MOVQ MM, CX

	MOVL beta+152(FP), AX
	ANDL $0x7fffffff, AX
	JZ   overwrite
	VBROADCASTSS beta+152(FP), A1
	ROWS(ROW_BETA, next)
	JMP  next

overwrite:
	ROWS(ROW_STORE, next)

next:
	LEAQ (ABASE)(ARS*8), ABASE
	LEAQ (CPTR)(LDC*8), CPTR
	SUBQ $8, MM
	JG   tile
	VZEROUPPER
	RET

//go:build amd64 && !noasm

#include "textflag.h"

// gemmKernelAVX512N computes an m×n block of C, n ≤ 16, as a column of
// 8×16 tiles: the AVX-512 kernel for the last panel of B when it is at most
// half as wide as gemmKernelAVX512's. Each tile lives in eight zmm
// registers, one per row; each step of k loads 16 values of B and multiplies
// them by the 8 values of A, broadcast from memory inside the FMAs. A mask
// in K1 keeps loads and stores of C inside the n columns, and a row count
// stops the last tile after row m.

#define MM R13
#define KK CX
#define ABASE BX
#define A0P SI
#define A3P R9
#define A6P R10
#define ARS R11
#define AKS R12
#define BPTR DI
#define CPTR DX
#define LDC R8
#define B0 Z16
#define ALPHA Z17
#define BETA Z18
#define T0 Z19

// STEP does one step of k: C[i][0:16] += A[i][p]·B[p][0:16] for the 8 rows.
#define STEP \
	VMOVUPS          (BPTR), B0 ; \
	VFMADD231PS.BCST (A0P), B0, Z0 ; \
	VFMADD231PS.BCST (A0P)(ARS*1), B0, Z1 ; \
	VFMADD231PS.BCST (A0P)(ARS*2), B0, Z2 ; \
	VFMADD231PS.BCST (A3P), B0, Z3 ; \
	VFMADD231PS.BCST (A3P)(ARS*1), B0, Z4 ; \
	VFMADD231PS.BCST (A3P)(ARS*2), B0, Z5 ; \
	VFMADD231PS.BCST (A6P), B0, Z6 ; \
	VFMADD231PS.BCST (A6P)(ARS*1), B0, Z7 ; \
	ADDQ             AKS, A0P ; \
	ADDQ             AKS, A3P ; \
	ADDQ             AKS, A6P ; \
	ADDQ             $64, BPTR

// ROW_BETA stores row acc at (r), first adding BETA times C; ROW_STORE
// stores it over C. Both scale the sums by ALPHA first and touch only the
// columns in K1.
#define ROW_BETA(r, acc) \
	VMOVUPS.Z   (r), K1, T0 ; \
	VMULPS      ALPHA, acc, acc ; \
	VFMADD231PS T0, BETA, acc ; \
	VMOVUPS     acc, K1, (r)

#define ROW_STORE(r, acc) \
	VMULPS  ALPHA, acc, acc ; \
	VMOVUPS acc, K1, (r)

// ROWS applies ROW_BETA or ROW_STORE to the rows of the tile, counting
// down CX and jumping to done when it reaches zero.
#define ROWS(op, done) \
	MOVQ CPTR, AX ; \
	op(AX, Z0) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z1) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z2) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z3) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z4) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z5) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z6) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Z7)

// func gemmKernelAVX512N(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)
TEXT ·gemmKernelAVX512N(SB), NOSPLIT, $0-128
	MOVQ m+0(FP), MM
	MOVQ a_base+24(FP), ABASE
	MOVQ ars+48(FP), ARS
	MOVQ aks+56(FP), AKS
	MOVQ c_base+88(FP), CPTR
	MOVQ ldc+112(FP), LDC
	SHLQ $2, ARS
	SHLQ $2, AKS
	SHLQ $2, LDC

	// Column mask: the low n of 16 bits.
	MOVQ  n+8(FP), CX
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	KMOVW AX, K1

	VBROADCASTSS alpha+120(FP), ALPHA
	VBROADCASTSS beta+124(FP), BETA

tile:
	// Start pulling the tile of C into cache while the sums run.
	MOVQ       CPTR, AX
	PREFETCHT0 (AX)
	ADDQ       LDC, AX
	PREFETCHT0 (AX)
	ADDQ       LDC, AX
	PREFETCHT0 (AX)
	ADDQ       LDC, AX
	PREFETCHT0 (AX)
	ADDQ       LDC, AX
	PREFETCHT0 (AX)
	ADDQ       LDC, AX
	PREFETCHT0 (AX)
	ADDQ       LDC, AX
	PREFETCHT0 (AX)
	ADDQ       LDC, AX
	PREFETCHT0 (AX)

	MOVQ k+16(FP), KK
	MOVQ b_base+64(FP), BPTR
	MOVQ ABASE, A0P
	LEAQ (ARS)(ARS*2), AX
	LEAQ (A0P)(AX*1), A3P
	LEAQ (A3P)(AX*1), A6P

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

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
	JZ   store

loop1:
	STEP
	DECQ KK
	JNZ  loop1

store:
	MOVQ MM, CX

	// beta == 0 (either sign) overwrites C without reading it.
	MOVL beta+124(FP), AX
	ANDL $0x7fffffff, AX
	JZ   overwrite
	ROWS(ROW_BETA, next)
	JMP  next

overwrite:
	ROWS(ROW_STORE, next)

next:
	// Move down 8 rows of A and of C.
	LEAQ (ABASE)(ARS*8), ABASE
	LEAQ (CPTR)(LDC*8), CPTR
	SUBQ $8, MM
	JG   tile
	VZEROUPPER
	RET

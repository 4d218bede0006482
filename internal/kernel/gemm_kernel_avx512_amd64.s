//go:build amd64 && !noasm

#include "textflag.h"
#include "tile8x32_avx512_amd64.h"

// gemmKernelAVX512 computes an m×n block of C, n ≤ 32, as a column of
// 8×32 tiles; mask registers K1 and K2 keep loads and stores of C inside
// the n columns, and a row count stops the last tile after row m. Each tile lives in sixteen zmm registers, two per
// row. Each step of k loads 32 values of B into two registers and
// broadcasts the 8 values of A, four at a time: 16 FMAs for 10 loads.
// Rows of A are reached from three pointers (rows 0-2, 3-5, 6-7) plus
// multiples of the row stride, so A may be a packed panel or A in place.

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
#define B1 Z17
#define A0 Z18
#define A1 Z19
#define A2 Z20
#define A3 Z21

// STEP does one step of k: C[i][0:32] += A[i][p]·B[p][0:32] for the 8 rows.
#define STEP \
	VMOVUPS      (BPTR), B0 ; \
	VMOVUPS      64(BPTR), B1 ; \
	FMA_8X32 ; \
	ADDQ         AKS, A0P ; \
	ADDQ         AKS, A3P ; \
	ADDQ         AKS, A6P ; \
	ADDQ         $128, BPTR

// ROW_BETA stores row acc0:acc1 at (r), first adding A1 (beta) times C;
// ROW_STORE stores it over C. Both scale the sums by A0 (alpha) first, and
// touch only the columns in K1 (0-15) and K2 (16-31).
#define ROW_BETA(r, acc0, acc1) \
	VMOVUPS.Z   (r), K1, A2 ; \
	VMOVUPS.Z   64(r), K2, A3 ; \
	VMULPS      A0, acc0, acc0 ; \
	VMULPS      A0, acc1, acc1 ; \
	VFMADD231PS A2, A1, acc0 ; \
	VFMADD231PS A3, A1, acc1 ; \
	VMOVUPS     acc0, K1, (r) ; \
	VMOVUPS     acc1, K2, 64(r)

#define ROW_STORE(r, acc0, acc1) \
	VMULPS  A0, acc0, acc0 ; \
	VMULPS  A0, acc1, acc1 ; \
	VMOVUPS acc0, K1, (r) ; \
	VMOVUPS acc1, K2, 64(r)

// ROWS applies ROW_BETA or ROW_STORE to the rows of the tile, counting
// down CX and jumping to done when it reaches zero.
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

// func gemmKernelAVX512(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)
TEXT ·gemmKernelAVX512(SB), NOSPLIT, $0-128
	MOVQ m+0(FP), MM
	MOVQ a_base+24(FP), ABASE
	MOVQ ars+48(FP), ARS
	MOVQ aks+56(FP), AKS
	MOVQ c_base+88(FP), CPTR
	MOVQ ldc+112(FP), LDC
	SHLQ $2, ARS
	SHLQ $2, AKS
	SHLQ $2, LDC

	MOVQ n+8(FP), CX
	COLUMN_MASKS

tile:
	// Start pulling the tile of C into cache while the sums run.
	MOVQ CPTR, AX
	PREFETCH_TILE

	MOVQ k+16(FP), KK
	MOVQ b_base+64(FP), BPTR
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
	JZ   store

loop1:
	STEP
	DECQ KK
	JNZ  loop1

store:
	VBROADCASTSS alpha+120(FP), A0
	MOVQ         MM, CX

	// beta == 0 (either sign) overwrites C without reading it.
	MOVL beta+124(FP), AX
	ANDL $0x7fffffff, AX
	JZ   overwrite
	VBROADCASTSS beta+124(FP), A1
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

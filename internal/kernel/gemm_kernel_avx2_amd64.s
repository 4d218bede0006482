//go:build amd64 && !noasm

#include "textflag.h"

// gemmKernelAVX2 computes an m×n block of C, n ≤ 16, as a column of 6×16
// tiles; a row count stops the last tile after row m, and when n < 16 the
// stores to C go through VMASKMOVPS. Each tile lives in twelve ymm registers, two per
// row. Each step of k loads 16 values of B into two registers and
// broadcasts the 6 values of A, two at a time: 12 FMAs for 8 loads.
// Rows of A are reached from two pointers (rows 0-2, 3-5) plus multiples of
// the row stride, so A may be a packed panel or A in place.

#define MM R13
#define KK CX
#define ABASE BX
#define A0P SI
#define A3P R9
#define ARS R11
#define AKS R12
#define BPTR DI
#define CPTR DX
#define LDC R8
#define B0 Y12
#define B1 Y13
#define A0 Y14
#define A1 Y15

// STEP does one step of k: C[i][0:16] += A[i][p]·B[p][0:16] for the 6 rows.
#define STEP \
	VMOVUPS      (BPTR), B0 ; \
	VMOVUPS      32(BPTR), B1 ; \
	VBROADCASTSS (A0P), A0 ; \
	VBROADCASTSS (A0P)(ARS*1), A1 ; \
	VFMADD231PS  B0, A0, Y0 ; \
	VFMADD231PS  B1, A0, Y1 ; \
	VFMADD231PS  B0, A1, Y2 ; \
	VFMADD231PS  B1, A1, Y3 ; \
	VBROADCASTSS (A0P)(ARS*2), A0 ; \
	VBROADCASTSS (A3P), A1 ; \
	VFMADD231PS  B0, A0, Y4 ; \
	VFMADD231PS  B1, A0, Y5 ; \
	VFMADD231PS  B0, A1, Y6 ; \
	VFMADD231PS  B1, A1, Y7 ; \
	VBROADCASTSS (A3P)(ARS*1), A0 ; \
	VBROADCASTSS (A3P)(ARS*2), A1 ; \
	VFMADD231PS  B0, A0, Y8 ; \
	VFMADD231PS  B1, A0, Y9 ; \
	VFMADD231PS  B0, A1, Y10 ; \
	VFMADD231PS  B1, A1, Y11 ; \
	ADDQ         AKS, A0P ; \
	ADDQ         AKS, A3P ; \
	ADDQ         $64, BPTR

// ROW_BETA stores row acc0:acc1 at (r), first adding A1 (beta) times C;
// ROW_STORE stores it over C. Both scale the sums by A0 (alpha) first.
#define ROW_BETA(r, acc0, acc1) \
	VMULPS      A0, acc0, acc0 ; \
	VMULPS      A0, acc1, acc1 ; \
	VFMADD231PS (r), A1, acc0 ; \
	VFMADD231PS 32(r), A1, acc1 ; \
	VMOVUPS     acc0, (r) ; \
	VMOVUPS     acc1, 32(r)

#define ROW_STORE(r, acc0, acc1) \
	VMULPS  A0, acc0, acc0 ; \
	VMULPS  A0, acc1, acc1 ; \
	VMOVUPS acc0, (r) ; \
	VMOVUPS acc1, 32(r)

// ROWS applies ROW_BETA, ROW_STORE or their masked forms to the rows of
// the tile, counting down CX and jumping to done when it reaches zero.
#define ROWS(op, done) \
	MOVQ CPTR, AX ; \
	op(AX, Y0, Y1) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y2, Y3) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y4, Y5) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y6, Y7) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y8, Y9) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y10, Y11)

// MASKED_BETA and MASKED_STORE are ROW_BETA and ROW_STORE for a tile
// narrower than 16: B0 and B1 hold the masks of columns 0-7 and 8-15, and
// A0 is reloaded with alpha for each row because it also carries C.
#define MASKED_BETA(r, acc0, acc1) \
	VBROADCASTSS alpha+120(FP), A0 ; \
	VMULPS       A0, acc0, acc0 ; \
	VMULPS       A0, acc1, acc1 ; \
	VMASKMOVPS   (r), B0, A0 ; \
	VFMADD231PS  A0, A1, acc0 ; \
	VMASKMOVPS   32(r), B1, A0 ; \
	VFMADD231PS  A0, A1, acc1 ; \
	VMASKMOVPS   acc0, B0, (r) ; \
	VMASKMOVPS   acc1, B1, 32(r)

#define MASKED_STORE(r, acc0, acc1) \
	VMULPS     A0, acc0, acc0 ; \
	VMULPS     A0, acc1, acc1 ; \
	VMASKMOVPS acc0, B0, (r) ; \
	VMASKMOVPS acc1, B1, 32(r)

// gemmMaskAVX2 is eight all-ones lanes then eight zero lanes: the eight
// lanes that start c lanes before the zeros let exactly c lanes through.
DATA gemmMaskAVX2<>+0(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+4(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+8(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+12(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+16(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+20(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+24(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+28(SB)/4, $0xffffffff
DATA gemmMaskAVX2<>+32(SB)/4, $0
DATA gemmMaskAVX2<>+36(SB)/4, $0
DATA gemmMaskAVX2<>+40(SB)/4, $0
DATA gemmMaskAVX2<>+44(SB)/4, $0
DATA gemmMaskAVX2<>+48(SB)/4, $0
DATA gemmMaskAVX2<>+52(SB)/4, $0
DATA gemmMaskAVX2<>+56(SB)/4, $0
DATA gemmMaskAVX2<>+60(SB)/4, $0
GLOBL gemmMaskAVX2<>(SB), RODATA|NOPTR, $64

// PREFETCH_ROW asks for the row of C at (AX), one cache line, and moves AX
// to the next row.
#define PREFETCH_ROW \
	PREFETCHT0 (AX) ; \
	ADDQ       LDC, AX

// func gemmKernelAVX2(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)
TEXT ·gemmKernelAVX2(SB), NOSPLIT, $0-128
	MOVQ m+0(FP), MM
	MOVQ a_base+24(FP), ABASE
	MOVQ ars+48(FP), ARS
	MOVQ aks+56(FP), AKS
	MOVQ c_base+88(FP), CPTR
	MOVQ ldc+112(FP), LDC
	SHLQ $2, ARS
	SHLQ $2, AKS
	SHLQ $2, LDC

tile:
	// Start pulling the tile of C into cache while the sums run.
	MOVQ CPTR, AX
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW
	PREFETCH_ROW

	MOVQ k+16(FP), KK
	MOVQ b_base+64(FP), BPTR
	MOVQ ABASE, A0P
	LEAQ (ARS)(ARS*2), AX
	LEAQ (A0P)(AX*1), A3P

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

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
	VBROADCASTSS beta+124(FP), A1
	MOVQ         MM, CX
	MOVL         beta+124(FP), R10
	ANDL         $0x7fffffff, R10
	CMPQ         n+8(FP), $16
	JLT          masked

	// beta == 0 (either sign) overwrites C without reading it.
	TESTL R10, R10
	JZ    overwrite
	ROWS(ROW_BETA, next)
	JMP   next

overwrite:
	ROWS(ROW_STORE, next)
	JMP next

masked:
	// B0 and B1 let through the first min(n, 8) and max(n-8, 0) lanes.
	MOVQ       n+8(FP), AX
	LEAQ       gemmMaskAVX2<>+32(SB), R9
	MOVQ       AX, DI
	SUBQ       $8, AX
	JGE        wide
	XORQ       AX, AX
	JMP        lanes

wide:
	MOVQ $8, DI

lanes:
	NEGQ       DI
	NEGQ       AX
	VMOVUPS    (R9)(DI*4), B0
	VMOVUPS    (R9)(AX*4), B1
	TESTL      R10, R10
	JZ         moverwrite
	ROWS(MASKED_BETA, next)
	JMP        next

moverwrite:
	ROWS(MASKED_STORE, next)

next:
	// Move down 6 rows of A and of C.
	LEAQ (ARS)(ARS*2), AX
	LEAQ (ABASE)(AX*2), ABASE
	LEAQ (LDC)(LDC*2), AX
	LEAQ (CPTR)(AX*2), CPTR
	SUBQ $6, MM
	JG   tile
	VZEROUPPER
	RET

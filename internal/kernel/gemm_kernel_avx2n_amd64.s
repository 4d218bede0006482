//go:build amd64 && !noasm

#include "textflag.h"

// gemmKernelAVX2N computes an m×n block of C, n ≤ 8, as a column of 6×8
// tiles: the AVX2 kernel for the last panel of B when it is at most half as
// wide as gemmKernelAVX2's. Each tile lives in six ymm registers, one per
// row; each step of k loads 8 values of B and broadcasts the 6 values of A.
// A row count stops the last tile after row m, and when n < 8 the stores to
// C go through VMASKMOVPS with the mask in MASK.

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
#define B0 Y6
#define ALPHA Y13
#define BETA Y14
#define MASK Y15

// STEP does one step of k: C[i][0:8] += A[i][p]·B[p][0:8] for the 6 rows.
#define STEP \
	VMOVUPS      (BPTR), B0 ; \
	VBROADCASTSS (A0P), Y7 ; \
	VBROADCASTSS (A0P)(ARS*1), Y8 ; \
	VBROADCASTSS (A0P)(ARS*2), Y9 ; \
	VBROADCASTSS (A3P), Y10 ; \
	VBROADCASTSS (A3P)(ARS*1), Y11 ; \
	VBROADCASTSS (A3P)(ARS*2), Y12 ; \
	VFMADD231PS  B0, Y7, Y0 ; \
	VFMADD231PS  B0, Y8, Y1 ; \
	VFMADD231PS  B0, Y9, Y2 ; \
	VFMADD231PS  B0, Y10, Y3 ; \
	VFMADD231PS  B0, Y11, Y4 ; \
	VFMADD231PS  B0, Y12, Y5 ; \
	ADDQ         AKS, A0P ; \
	ADDQ         AKS, A3P ; \
	ADDQ         $32, BPTR

// ROW_BETA stores row acc at (r), first adding BETA times C; ROW_STORE
// stores it over C; the MASKED forms touch only the lanes in MASK. All
// scale the sums by ALPHA first.
#define ROW_BETA(r, acc) \
	VMULPS      ALPHA, acc, acc ; \
	VFMADD231PS (r), BETA, acc ; \
	VMOVUPS     acc, (r)

#define ROW_STORE(r, acc) \
	VMULPS  ALPHA, acc, acc ; \
	VMOVUPS acc, (r)

#define MASKED_BETA(r, acc) \
	VMASKMOVPS  (r), MASK, Y7 ; \
	VMULPS      ALPHA, acc, acc ; \
	VFMADD231PS Y7, BETA, acc ; \
	VMASKMOVPS  acc, MASK, (r)

#define MASKED_STORE(r, acc) \
	VMULPS     ALPHA, acc, acc ; \
	VMASKMOVPS acc, MASK, (r)

// ROWS applies one of the row macros to the rows of the tile, counting
// down CX and jumping to done when it reaches zero.
#define ROWS(op, done) \
	MOVQ CPTR, AX ; \
	op(AX, Y0) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y1) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y2) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y3) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y4) ; \
	DECQ CX ; \
	JZ   done ; \
	ADDQ LDC, AX ; \
	op(AX, Y5)

// gemmMaskAVX2N is eight all-ones lanes then eight zero lanes: the eight
// lanes that start n lanes before the zeros let exactly n lanes through.
DATA gemmMaskAVX2N<>+0(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+4(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+8(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+12(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+16(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+20(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+24(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+28(SB)/4, $0xffffffff
DATA gemmMaskAVX2N<>+32(SB)/4, $0
DATA gemmMaskAVX2N<>+36(SB)/4, $0
DATA gemmMaskAVX2N<>+40(SB)/4, $0
DATA gemmMaskAVX2N<>+44(SB)/4, $0
DATA gemmMaskAVX2N<>+48(SB)/4, $0
DATA gemmMaskAVX2N<>+52(SB)/4, $0
DATA gemmMaskAVX2N<>+56(SB)/4, $0
DATA gemmMaskAVX2N<>+60(SB)/4, $0
GLOBL gemmMaskAVX2N<>(SB), RODATA|NOPTR, $64

// func gemmKernelAVX2N(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)
TEXT ·gemmKernelAVX2N(SB), NOSPLIT, $0-128
	MOVQ m+0(FP), MM
	MOVQ a_base+24(FP), ABASE
	MOVQ ars+48(FP), ARS
	MOVQ aks+56(FP), AKS
	MOVQ c_base+88(FP), CPTR
	MOVQ ldc+112(FP), LDC
	SHLQ $2, ARS
	SHLQ $2, AKS
	SHLQ $2, LDC

	VBROADCASTSS alpha+120(FP), ALPHA
	VBROADCASTSS beta+124(FP), BETA
	MOVQ         n+8(FP), AX
	NEGQ         AX
	LEAQ         gemmMaskAVX2N<>+32(SB), R10
	VMOVUPS      (R10)(AX*4), MASK

tile:
	// Start pulling the tile of C into cache while the sums run.
	MOVQ       CPTR, AX
	PREFETCHT0 (AX)
	PREFETCHT0 (AX)(LDC*1)
	PREFETCHT0 (AX)(LDC*2)
	LEAQ       (AX)(LDC*2), AX
	PREFETCHT0 (AX)(LDC*1)
	PREFETCHT0 (AX)(LDC*2)
	LEAQ       (AX)(LDC*2), AX
	PREFETCHT0 (AX)(LDC*1)

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
	MOVL beta+124(FP), R10
	ANDL $0x7fffffff, R10
	CMPQ n+8(FP), $8
	JLT  masked

	// beta == 0 (either sign) overwrites C without reading it.
	TESTL R10, R10
	JZ    overwrite
	ROWS(ROW_BETA, next)
	JMP   next

overwrite:
	ROWS(ROW_STORE, next)
	JMP next

masked:
	TESTL R10, R10
	JZ    moverwrite
	ROWS(MASKED_BETA, next)
	JMP   next

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

//go:build amd64 && !noasm

#include "textflag.h"

// gemmKernelAVX512 keeps the 8×32 tile of C in sixteen zmm registers, two
// per row, and per step of k loads 32 values of B into two registers and
// broadcasts each of the 8 values of A in turn: 16 FMAs for 10 loads.

#define KK CX
#define APTR SI
#define BPTR DI
#define CPTR DX
#define LDC R8
#define N4 R9
#define LDC3 R10
#define CPTR3 R11
#define CPTR6 R12
#define B0 Z16
#define B1 Z17
#define A0 Z18
#define A1 Z19
#define A2 Z20
#define A3 Z21

// STEP does step p of k (0..3 within an unrolled round).
#define STEP(p) \
	VMOVUPS      (p*128)(BPTR), B0 ; \
	VMOVUPS      (p*128+64)(BPTR), B1 ; \
	VBROADCASTSS (p*32)(APTR), A0 ; \
	VBROADCASTSS (p*32+4)(APTR), A1 ; \
	VBROADCASTSS (p*32+8)(APTR), A2 ; \
	VBROADCASTSS (p*32+12)(APTR), A3 ; \
	VFMADD231PS  B0, A0, Z0 ; \
	VFMADD231PS  B1, A0, Z1 ; \
	VFMADD231PS  B0, A1, Z2 ; \
	VFMADD231PS  B1, A1, Z3 ; \
	VFMADD231PS  B0, A2, Z4 ; \
	VFMADD231PS  B1, A2, Z5 ; \
	VFMADD231PS  B0, A3, Z6 ; \
	VFMADD231PS  B1, A3, Z7 ; \
	VBROADCASTSS (p*32+16)(APTR), A0 ; \
	VBROADCASTSS (p*32+20)(APTR), A1 ; \
	VBROADCASTSS (p*32+24)(APTR), A2 ; \
	VBROADCASTSS (p*32+28)(APTR), A3 ; \
	VFMADD231PS  B0, A0, Z8 ; \
	VFMADD231PS  B1, A0, Z9 ; \
	VFMADD231PS  B0, A1, Z10 ; \
	VFMADD231PS  B1, A1, Z11 ; \
	VFMADD231PS  B0, A2, Z12 ; \
	VFMADD231PS  B1, A2, Z13 ; \
	VFMADD231PS  B0, A3, Z14 ; \
	VFMADD231PS  B1, A3, Z15

// ROW_BETA stores row acc0:acc1 at (r), first adding A0 (beta) times C;
// ROW_STORE stores it over C.
#define ROW_BETA(r, acc0, acc1) \
	VFMADD231PS (r), A0, acc0 ; \
	VFMADD231PS 64(r), A0, acc1 ; \
	VMOVUPS     acc0, (r) ; \
	VMOVUPS     acc1, 64(r)

#define ROW_STORE(r, acc0, acc1) \
	VMOVUPS acc0, (r) ; \
	VMOVUPS acc1, 64(r)

// ROWS applies ROW_BETA or ROW_STORE to the eight rows of C.
#define ROWS(op) \
	op(CPTR, Z0, Z1) ; \
	LEAQ (CPTR)(LDC*1), AX ; \
	op(AX, Z2, Z3) ; \
	LEAQ (CPTR)(LDC*2), AX ; \
	op(AX, Z4, Z5) ; \
	op(CPTR3, Z6, Z7) ; \
	LEAQ (CPTR3)(LDC*1), AX ; \
	op(AX, Z8, Z9) ; \
	LEAQ (CPTR3)(LDC*2), AX ; \
	op(AX, Z10, Z11) ; \
	op(CPTR6, Z12, Z13) ; \
	LEAQ (CPTR6)(LDC*1), AX ; \
	op(AX, Z14, Z15)

// func gemmKernelAVX512(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmKernelAVX512(SB), NOSPLIT, $0-92
	MOVQ k+0(FP), KK
	MOVQ a_base+8(FP), APTR
	MOVQ b_base+32(FP), BPTR
	MOVQ c_base+56(FP), CPTR
	MOVQ ldc+80(FP), LDC
	SHLQ $2, LDC
	LEAQ (LDC)(LDC*2), LDC3
	LEAQ (CPTR)(LDC3*1), CPTR3
	LEAQ (CPTR3)(LDC3*1), CPTR6

	// Start pulling the tile of C into cache while the sums run.
	PREFETCHT0 (CPTR)
	PREFETCHT0 64(CPTR)
	PREFETCHT0 (CPTR)(LDC*1)
	PREFETCHT0 64(CPTR)(LDC*1)
	PREFETCHT0 (CPTR)(LDC*2)
	PREFETCHT0 64(CPTR)(LDC*2)
	PREFETCHT0 (CPTR3)
	PREFETCHT0 64(CPTR3)
	PREFETCHT0 (CPTR3)(LDC*1)
	PREFETCHT0 64(CPTR3)(LDC*1)
	PREFETCHT0 (CPTR3)(LDC*2)
	PREFETCHT0 64(CPTR3)(LDC*2)
	PREFETCHT0 (CPTR6)
	PREFETCHT0 64(CPTR6)
	PREFETCHT0 (CPTR6)(LDC*1)
	PREFETCHT0 64(CPTR6)(LDC*1)

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

	MOVQ KK, N4
	SHRQ $2, N4
	JZ   tail

loop4:
	STEP(0)
	STEP(1)
	STEP(2)
	STEP(3)
	ADDQ $128, APTR
	ADDQ $512, BPTR
	DECQ N4
	JNZ  loop4

tail:
	ANDQ $3, KK
	JZ   store

loop1:
	STEP(0)
	ADDQ $32, APTR
	ADDQ $128, BPTR
	DECQ KK
	JNZ  loop1

store:
	// beta == 0 (either sign) overwrites C without reading it.
	MOVL beta+88(FP), AX
	ANDL $0x7fffffff, AX
	JZ   overwrite

	VBROADCASTSS beta+88(FP), A0
	ROWS(ROW_BETA)
	VZEROUPPER
	RET

overwrite:
	ROWS(ROW_STORE)
	VZEROUPPER
	RET

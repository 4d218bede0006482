//go:build amd64 && !noasm

#include "textflag.h"

// gemmKernelAVX2 keeps the 6×16 tile of C in twelve ymm registers, two per
// row, and per step of k loads 16 values of B into two registers and
// broadcasts each of the 6 values of A in turn: 12 FMAs for 8 loads.

#define KK CX
#define APTR SI
#define BPTR DI
#define CPTR DX
#define LDC R8
#define N4 R9
#define CPTR3 R10
#define B0 Y12
#define B1 Y13
#define A0 Y14
#define A1 Y15

// STEP does step p of k (0..3 within an unrolled round): rows 2r and 2r+1
// take turns with A0 and A1 so broadcasts overlap the FMAs.
#define STEP(p) \
	VMOVUPS      (p*64)(BPTR), B0 ; \
	VMOVUPS      (p*64+32)(BPTR), B1 ; \
	VBROADCASTSS (p*24)(APTR), A0 ; \
	VBROADCASTSS (p*24+4)(APTR), A1 ; \
	VFMADD231PS  B0, A0, Y0 ; \
	VFMADD231PS  B1, A0, Y1 ; \
	VFMADD231PS  B0, A1, Y2 ; \
	VFMADD231PS  B1, A1, Y3 ; \
	VBROADCASTSS (p*24+8)(APTR), A0 ; \
	VBROADCASTSS (p*24+12)(APTR), A1 ; \
	VFMADD231PS  B0, A0, Y4 ; \
	VFMADD231PS  B1, A0, Y5 ; \
	VFMADD231PS  B0, A1, Y6 ; \
	VFMADD231PS  B1, A1, Y7 ; \
	VBROADCASTSS (p*24+16)(APTR), A0 ; \
	VBROADCASTSS (p*24+20)(APTR), A1 ; \
	VFMADD231PS  B0, A0, Y8 ; \
	VFMADD231PS  B1, A0, Y9 ; \
	VFMADD231PS  B0, A1, Y10 ; \
	VFMADD231PS  B1, A1, Y11

// ROW_BETA stores row acc0:acc1 at (r), first adding A0 (beta) times C;
// ROW_STORE stores it over C.
#define ROW_BETA(r, acc0, acc1) \
	VFMADD231PS (r), A0, acc0 ; \
	VFMADD231PS 32(r), A0, acc1 ; \
	VMOVUPS     acc0, (r) ; \
	VMOVUPS     acc1, 32(r)

#define ROW_STORE(r, acc0, acc1) \
	VMOVUPS acc0, (r) ; \
	VMOVUPS acc1, 32(r)

// func gemmKernelAVX2(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmKernelAVX2(SB), NOSPLIT, $0-92
	MOVQ k+0(FP), KK
	MOVQ a_base+8(FP), APTR
	MOVQ b_base+32(FP), BPTR
	MOVQ c_base+56(FP), CPTR
	MOVQ ldc+80(FP), LDC
	SHLQ $2, LDC
	LEAQ (CPTR)(LDC*2), CPTR3
	ADDQ LDC, CPTR3

	// Start pulling the tile of C into cache while the sums run.
	PREFETCHT0 (CPTR)
	PREFETCHT0 (CPTR)(LDC*1)
	PREFETCHT0 (CPTR)(LDC*2)
	PREFETCHT0 (CPTR3)
	PREFETCHT0 (CPTR3)(LDC*1)
	PREFETCHT0 (CPTR3)(LDC*2)

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

	MOVQ KK, N4
	SHRQ $2, N4
	JZ   tail

loop4:
	STEP(0)
	STEP(1)
	STEP(2)
	STEP(3)
	ADDQ $96, APTR
	ADDQ $256, BPTR
	DECQ N4
	JNZ  loop4

tail:
	ANDQ $3, KK
	JZ   store

loop1:
	STEP(0)
	ADDQ $24, APTR
	ADDQ $64, BPTR
	DECQ KK
	JNZ  loop1

store:
	// beta == 0 (either sign) overwrites C without reading it.
	MOVL beta+88(FP), AX
	ANDL $0x7fffffff, AX
	JZ   overwrite

	VBROADCASTSS beta+88(FP), A0
	ROW_BETA(CPTR, Y0, Y1)
	LEAQ (CPTR)(LDC*1), AX
	ROW_BETA(AX, Y2, Y3)
	LEAQ (CPTR)(LDC*2), AX
	ROW_BETA(AX, Y4, Y5)
	ROW_BETA(CPTR3, Y6, Y7)
	LEAQ (CPTR3)(LDC*1), AX
	ROW_BETA(AX, Y8, Y9)
	LEAQ (CPTR3)(LDC*2), AX
	ROW_BETA(AX, Y10, Y11)
	VZEROUPPER
	RET

overwrite:
	ROW_STORE(CPTR, Y0, Y1)
	LEAQ (CPTR)(LDC*1), AX
	ROW_STORE(AX, Y2, Y3)
	LEAQ (CPTR)(LDC*2), AX
	ROW_STORE(AX, Y4, Y5)
	ROW_STORE(CPTR3, Y6, Y7)
	LEAQ (CPTR3)(LDC*1), AX
	ROW_STORE(AX, Y8, Y9)
	LEAQ (CPTR3)(LDC*2), AX
	ROW_STORE(AX, Y10, Y11)
	VZEROUPPER
	RET

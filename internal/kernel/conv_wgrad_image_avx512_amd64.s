//go:build amd64 && !noasm

#include "textflag.h"
#include "tile8x32_avx512_amd64.h"

// convWgradImageAVX512 adds to an m×n block of the weight gradient, n ≤ 32,
// m a multiple of 8, one 8×32 tile in registers at a time: rows are input
// channels, columns filters, and k runs over the pixels of ne images ×
// rows output rows × ow columns. The A operand is read in place from the
// padded images: row i, step (e, y, x) is a[i·plane + e·estr + y·wp + x],
// so the pointers of the 8 rows move one value a step, skip wp-ow values
// at the end of each output row and estr-rows·wp at the end of each image
// (the stub passes both skips). B is the packed output gradient, 32 values
// a step (PackConvWgradB). The step is gemmKernelAVX512's: 16 FMAs for 2
// loads of B and 8 broadcasts of A.

#define MM R13
#define KK CX
#define ABASE BX
#define A0P SI
#define A3P R9
#define A6P R10
#define ARS R11
#define BPTR DI
#define CPTR DX
#define LDC R8
#define NIMG R12
#define NROW R15
#define B0 Z16
#define B1 Z17
#define A0 Z18
#define A1 Z19
#define A2 Z20
#define A3 Z21

#define STEP \
	VMOVUPS      (BPTR), B0 ; \
	VMOVUPS      64(BPTR), B1 ; \
	FMA_8X32 ; \
	ADDQ         $4, A0P ; \
	ADDQ         $4, A3P ; \
	ADDQ         $4, A6P ; \
	ADDQ         $128, BPTR

// SKIP moves the three row pointers on by the byte count in AX.
#define SKIP \
	ADDQ AX, A0P ; \
	ADDQ AX, A3P ; \
	ADDQ AX, A6P

// ROW_ADD adds row acc0:acc1 to C at (r); ROW_SET stores it over C. Both
// touch only the columns in K1 (0-15) and K2 (16-31).
#define ROW_ADD(r, acc0, acc1) \
	VADDPS  (r), acc0, K1, acc0 ; \
	VADDPS  64(r), acc1, K2, acc1 ; \
	VMOVUPS acc0, K1, (r) ; \
	VMOVUPS acc1, K2, 64(r)

#define ROW_SET(r, acc0, acc1) \
	VMOVUPS acc0, K1, (r) ; \
	VMOVUPS acc1, K2, 64(r)

#define ROWS(op) \
	MOVQ CPTR, AX ; \
	op(AX, Z0, Z1) ; \
	ADDQ LDC, AX ; \
	op(AX, Z2, Z3) ; \
	ADDQ LDC, AX ; \
	op(AX, Z4, Z5) ; \
	ADDQ LDC, AX ; \
	op(AX, Z6, Z7) ; \
	ADDQ LDC, AX ; \
	op(AX, Z8, Z9) ; \
	ADDQ LDC, AX ; \
	op(AX, Z10, Z11) ; \
	ADDQ LDC, AX ; \
	op(AX, Z12, Z13) ; \
	ADDQ LDC, AX ; \
	op(AX, Z14, Z15)

// func convWgradImageAVX512(m, n, ne, rows, ow int, a *float32, plane, imgSkip, rowSkip int, b, c *float32, ldc int, overwrite bool)
TEXT ·convWgradImageAVX512(SB), NOSPLIT, $0-97
	MOVQ m+0(FP), MM
	MOVQ a+40(FP), ABASE
	MOVQ plane+48(FP), ARS
	MOVQ c+80(FP), CPTR
	MOVQ ldc+88(FP), LDC
	SHLQ $2, ARS
	SHLQ $2, LDC

	MOVQ n+8(FP), CX
	COLUMN_MASKS

tile:
	MOVQ CPTR, AX
	PREFETCH_TILE

	MOVQ b+72(FP), BPTR
	ROW_POINTERS

	ZERO_TILE

	MOVQ ne+16(FP), NIMG

image:
	MOVQ rows+24(FP), NROW

row:
	MOVQ ow+32(FP), KK
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
	JZ   rowdone

loop1:
	STEP
	DECQ KK
	JNZ  loop1

rowdone:
	MOVQ rowSkip+64(FP), AX
	SKIP
	DECQ NROW
	JNZ  row
	MOVQ imgSkip+56(FP), AX
	SKIP
	DECQ NIMG
	JNZ  image

	MOVB overwrite+96(FP), AX
	TESTB AL, AL
	JNZ  set
	ROWS(ROW_ADD)
	JMP  next

set:
	ROWS(ROW_SET)

next:
	// Move down 8 rows of A (channels) and of C.
	LEAQ (ABASE)(ARS*8), ABASE
	LEAQ (CPTR)(LDC*8), CPTR
	SUBQ $8, MM
	JG   tile
	VZEROUPPER
	RET

// Macros of the 8×32 AVX-512 tile that gemmKernelAVX512, convKernelAVX512
// and convWgradImageAVX512 share. The file that includes this names the
// registers: ABASE points at the tile's A, and A0P, A3P and A6P at its rows
// 0, 3 and 6; ARS holds A's row stride in bytes; B0 and B1 hold the step's
// 32 values of B; A0-A3 are scratch for the broadcasts; LDC holds C's row
// stride in bytes. The tile's sums are Z0-Z15, row i in Z(2i) (columns
// 0-15) and Z(2i+1) (columns 16-31).

// FMA_8X32 broadcasts the step's 8 values of A, four at a time, and adds
// their products with B0:B1 to the tile: C[i][0:32] += A[i][p]·B[p][0:32].
#define FMA_8X32 \
	VBROADCASTSS (A0P), A0 ; \
	VBROADCASTSS (A0P)(ARS*1), A1 ; \
	VBROADCASTSS (A0P)(ARS*2), A2 ; \
	VBROADCASTSS (A3P), A3 ; \
	VFMADD231PS  B0, A0, Z0 ; \
	VFMADD231PS  B1, A0, Z1 ; \
	VFMADD231PS  B0, A1, Z2 ; \
	VFMADD231PS  B1, A1, Z3 ; \
	VFMADD231PS  B0, A2, Z4 ; \
	VFMADD231PS  B1, A2, Z5 ; \
	VFMADD231PS  B0, A3, Z6 ; \
	VFMADD231PS  B1, A3, Z7 ; \
	VBROADCASTSS (A3P)(ARS*1), A0 ; \
	VBROADCASTSS (A3P)(ARS*2), A1 ; \
	VBROADCASTSS (A6P), A2 ; \
	VBROADCASTSS (A6P)(ARS*1), A3 ; \
	VFMADD231PS  B0, A0, Z8 ; \
	VFMADD231PS  B1, A0, Z9 ; \
	VFMADD231PS  B0, A1, Z10 ; \
	VFMADD231PS  B1, A1, Z11 ; \
	VFMADD231PS  B0, A2, Z12 ; \
	VFMADD231PS  B1, A2, Z13 ; \
	VFMADD231PS  B0, A3, Z14 ; \
	VFMADD231PS  B1, A3, Z15

// COLUMN_MASKS sets the column masks for the n ≤ 32 columns in CX: the low
// n of 32 bits, split over K1 (columns 0-15) and K2 (16-31).
#define COLUMN_MASKS \
	MOVQ  $1, AX ; \
	SHLQ  CX, AX ; \
	DECQ  AX ; \
	KMOVW AX, K1 ; \
	SHRQ  $16, AX ; \
	KMOVW AX, K2

// ROW_POINTERS points A0P, A3P and A6P at rows 0, 3 and 6 of the tile's A,
// which starts at ABASE.
#define ROW_POINTERS \
	MOVQ ABASE, A0P ; \
	LEAQ (ARS)(ARS*2), AX ; \
	LEAQ (A0P)(AX*1), A3P ; \
	LEAQ (A3P)(AX*1), A6P

// ZERO_TILE clears the tile's sums.
#define ZERO_TILE \
	VPXORD Z0, Z0, Z0 ; \
	VPXORD Z1, Z1, Z1 ; \
	VPXORD Z2, Z2, Z2 ; \
	VPXORD Z3, Z3, Z3 ; \
	VPXORD Z4, Z4, Z4 ; \
	VPXORD Z5, Z5, Z5 ; \
	VPXORD Z6, Z6, Z6 ; \
	VPXORD Z7, Z7, Z7 ; \
	VPXORD Z8, Z8, Z8 ; \
	VPXORD Z9, Z9, Z9 ; \
	VPXORD Z10, Z10, Z10 ; \
	VPXORD Z11, Z11, Z11 ; \
	VPXORD Z12, Z12, Z12 ; \
	VPXORD Z13, Z13, Z13 ; \
	VPXORD Z14, Z14, Z14 ; \
	VPXORD Z15, Z15, Z15

// PREFETCH_ROW asks for both cache lines of the row of C at (AX) and moves
// AX to the next row; PREFETCH_TILE does it for the tile's 8 rows.
#define PREFETCH_ROW \
	PREFETCHT0 (AX) ; \
	PREFETCHT0 64(AX) ; \
	ADDQ       LDC, AX

#define PREFETCH_TILE \
	PREFETCH_ROW ; \
	PREFETCH_ROW ; \
	PREFETCH_ROW ; \
	PREFETCH_ROW ; \
	PREFETCH_ROW ; \
	PREFETCH_ROW ; \
	PREFETCH_ROW ; \
	PREFETCH_ROW

// Macros of the 3×128 AVX-512 tile that convKernel3x8AVX512 and
// convKernel3x8MaskedAVX512 share: eight runs of 16 columns, row i of run r
// summed in Z(r + 8i), the step's 3 values of A broadcast in Z24-Z26.

// RUN_PTR sets reg to the address of run i: the image (in AX) + x[i] (x in
// DX) floats.
#define RUN_PTR(i, reg) MOVQ (i*8)(DX), reg; LEAQ (AX)(reg*4), reg

// ZERO_3X8 clears the tile's sums.
#define ZERO_3X8 \
	VPXORD Z0, Z0, Z0 ; VPXORD Z1, Z1, Z1 ; VPXORD Z2, Z2, Z2 ; VPXORD Z3, Z3, Z3 ; \
	VPXORD Z4, Z4, Z4 ; VPXORD Z5, Z5, Z5 ; VPXORD Z6, Z6, Z6 ; VPXORD Z7, Z7, Z7 ; \
	VPXORD Z8, Z8, Z8 ; VPXORD Z9, Z9, Z9 ; VPXORD Z10, Z10, Z10 ; VPXORD Z11, Z11, Z11 ; \
	VPXORD Z12, Z12, Z12 ; VPXORD Z13, Z13, Z13 ; VPXORD Z14, Z14, Z14 ; VPXORD Z15, Z15, Z15 ; \
	VPXORD Z16, Z16, Z16 ; VPXORD Z17, Z17, Z17 ; VPXORD Z18, Z18, Z18 ; VPXORD Z19, Z19, Z19 ; \
	VPXORD Z20, Z20, Z20 ; VPXORD Z21, Z21, Z21 ; VPXORD Z22, Z22, Z22 ; VPXORD Z23, Z23, Z23

// BROADCAST_3 broadcasts the step's values of A's 3 rows (SI, R11 bytes
// apart) into Z24-Z26.
#define BROADCAST_3 \
	VBROADCASTSS (SI), Z24 ; \
	VBROADCASTSS (SI)(R11*1), Z25 ; \
	VBROADCASTSS (SI)(R11*2), Z26

// FMA_RUN3 adds run b's products with the 3 rows to its sums c0, c1, c2.
#define FMA_RUN3(b, c0, c1, c2) \
	VFMADD231PS b, Z24, c0 ; \
	VFMADD231PS b, Z25, c1 ; \
	VFMADD231PS b, Z26, c2

// STORE_3X8 writes the tile to C (AX), rows DX bytes apart.
#define STORE_3X8 \
	VMOVUPS Z0, 0(AX) ; VMOVUPS Z1, 64(AX) ; VMOVUPS Z2, 128(AX) ; VMOVUPS Z3, 192(AX) ; \
	VMOVUPS Z4, 256(AX) ; VMOVUPS Z5, 320(AX) ; VMOVUPS Z6, 384(AX) ; VMOVUPS Z7, 448(AX) ; \
	ADDQ DX, AX ; \
	VMOVUPS Z8, 0(AX) ; VMOVUPS Z9, 64(AX) ; VMOVUPS Z10, 128(AX) ; VMOVUPS Z11, 192(AX) ; \
	VMOVUPS Z12, 256(AX) ; VMOVUPS Z13, 320(AX) ; VMOVUPS Z14, 384(AX) ; VMOVUPS Z15, 448(AX) ; \
	ADDQ DX, AX ; \
	VMOVUPS Z16, 0(AX) ; VMOVUPS Z17, 64(AX) ; VMOVUPS Z18, 128(AX) ; VMOVUPS Z19, 192(AX) ; \
	VMOVUPS Z20, 256(AX) ; VMOVUPS Z21, 320(AX) ; VMOVUPS Z22, 384(AX) ; VMOVUPS Z23, 448(AX)

// RUN_PTRS_3X8 sets the 8 run addresses DI, R13, R14, BX, R12, R15, R9, DX
// from the image in AX and the run offsets in DX; then A's rows (SI, ars in
// R11 as bytes), the offsets (R10) and the step count (CX).
#define RUN_PTRS_3X8 \
	RUN_PTR(0, DI) ; RUN_PTR(1, R13) ; RUN_PTR(2, R14) ; RUN_PTR(3, BX) ; \
	RUN_PTR(4, R12) ; RUN_PTR(5, R15) ; RUN_PTR(6, R9) ; RUN_PTR(7, DX) ; \
	MOVQ a+8(FP), SI ; \
	MOVQ ars+16(FP), R11 ; \
	SHLQ $2, R11 ; \
	MOVQ off+32(FP), R10 ; \
	MOVQ k+0(FP), CX

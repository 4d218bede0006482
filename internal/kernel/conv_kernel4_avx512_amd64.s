//go:build amd64 && !noasm

#include "textflag.h"
#include "tile3x8_avx512_amd64.h"

// THIN_MASKS_AND_RUNS loads the column masks K1-K4 from mask and the four
// run addresses into DI, R13, R14 and BX, for convKernel4AVX512 and
// convKernel3AVX512.
#define THIN_MASKS_AND_RUNS \
	MOVQ mask+56(FP), AX; \
	KMOVW AX, K1; \
	SHRQ $16, AX; \
	KMOVW AX, K2; \
	SHRQ $16, AX; \
	KMOVW AX, K3; \
	SHRQ $16, AX; \
	KMOVW AX, K4; \
	MOVQ xp+32(FP), AX; \
	MOVQ x+48(FP), DX; \
	RUN_PTR(0, DI); \
	RUN_PTR(1, R13); \
	RUN_PTR(2, R14); \
	RUN_PTR(3, BX)

// convKernel4AVX512 and convKernel3AVX512 are convKernelAVX512 for
// products of at most 4 or 3 rows: a tile of that many rows by 64
// columns, four runs of 16 pixels loaded from the padded image at
// xp[x[j] + off[p]] under the column masks K1-K4, a broadcast of A per row
// and 4 FMAs per row a step. C is overwritten (alpha 1, beta 0), rows
// below m only. A must have 4 (3) readable rows. The two differ only in
// the row count.

// func convKernel4AVX512(m, k int, a *float32, ars int, xp *float32, off *int32, x *[4]int, mask uint64, c *float32, ldc int)
TEXT ·convKernel4AVX512(SB), NOSPLIT, $0-80
	THIN_MASKS_AND_RUNS
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R9
	ADDQ SI, R9
	MOVQ off+40(FP), R10
	MOVQ k+8(FP), CX
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

step4:
	MOVLQSX (R10), R8
	VMOVUPS.Z (DI)(R8*4), K1, Z16
	VMOVUPS.Z (R13)(R8*4), K2, Z17
	VMOVUPS.Z (R14)(R8*4), K3, Z18
	VMOVUPS.Z (BX)(R8*4), K4, Z19
	VBROADCASTSS (SI), Z20
	VBROADCASTSS (SI)(R11*1), Z21
	VBROADCASTSS (SI)(R11*2), Z22
	VBROADCASTSS (R9), Z23
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z1
	VFMADD231PS Z18, Z20, Z2
	VFMADD231PS Z19, Z20, Z3
	VFMADD231PS Z16, Z21, Z4
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z18, Z21, Z6
	VFMADD231PS Z19, Z21, Z7
	VFMADD231PS Z16, Z22, Z8
	VFMADD231PS Z17, Z22, Z9
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z19, Z22, Z11
	VFMADD231PS Z16, Z23, Z12
	VFMADD231PS Z17, Z23, Z13
	VFMADD231PS Z18, Z23, Z14
	VFMADD231PS Z19, Z23, Z15
	ADDQ $4, SI
	ADDQ $4, R9
	ADDQ $4, R10
	DECQ CX
	JNZ  step4

	MOVQ c+64(FP), AX
	MOVQ ldc+72(FP), DX
	SHLQ $2, DX
	MOVQ m+0(FP), CX
	VMOVUPS Z0, K1, 0(AX)
	VMOVUPS Z1, K2, 64(AX)
	VMOVUPS Z2, K3, 128(AX)
	VMOVUPS Z3, K4, 192(AX)
	DECQ CX
	JZ   done4
	ADDQ DX, AX
	VMOVUPS Z4, K1, 0(AX)
	VMOVUPS Z5, K2, 64(AX)
	VMOVUPS Z6, K3, 128(AX)
	VMOVUPS Z7, K4, 192(AX)
	DECQ CX
	JZ   done4
	ADDQ DX, AX
	VMOVUPS Z8, K1, 0(AX)
	VMOVUPS Z9, K2, 64(AX)
	VMOVUPS Z10, K3, 128(AX)
	VMOVUPS Z11, K4, 192(AX)
	DECQ CX
	JZ   done4
	ADDQ DX, AX
	VMOVUPS Z12, K1, 0(AX)
	VMOVUPS Z13, K2, 64(AX)
	VMOVUPS Z14, K3, 128(AX)
	VMOVUPS Z15, K4, 192(AX)

done4:
	VZEROUPPER
	RET

// func convKernel3AVX512(m, k int, a *float32, ars int, xp *float32, off *int32, x *[4]int, mask uint64, c *float32, ldc int)
TEXT ·convKernel3AVX512(SB), NOSPLIT, $0-80
	THIN_MASKS_AND_RUNS
	MOVQ a+16(FP), SI
	MOVQ ars+24(FP), R11
	SHLQ $2, R11
	MOVQ off+40(FP), R10
	MOVQ k+8(FP), CX
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

step3:
	MOVLQSX (R10), R8
	VMOVUPS.Z (DI)(R8*4), K1, Z16
	VMOVUPS.Z (R13)(R8*4), K2, Z17
	VMOVUPS.Z (R14)(R8*4), K3, Z18
	VMOVUPS.Z (BX)(R8*4), K4, Z19
	VBROADCASTSS (SI), Z20
	VBROADCASTSS (SI)(R11*1), Z21
	VBROADCASTSS (SI)(R11*2), Z22
	VFMADD231PS Z16, Z20, Z0
	VFMADD231PS Z17, Z20, Z1
	VFMADD231PS Z18, Z20, Z2
	VFMADD231PS Z19, Z20, Z3
	VFMADD231PS Z16, Z21, Z4
	VFMADD231PS Z17, Z21, Z5
	VFMADD231PS Z18, Z21, Z6
	VFMADD231PS Z19, Z21, Z7
	VFMADD231PS Z16, Z22, Z8
	VFMADD231PS Z17, Z22, Z9
	VFMADD231PS Z18, Z22, Z10
	VFMADD231PS Z19, Z22, Z11
	ADDQ $4, SI
	ADDQ $4, R10
	DECQ CX
	JNZ  step3

	MOVQ c+64(FP), AX
	MOVQ ldc+72(FP), DX
	SHLQ $2, DX
	MOVQ m+0(FP), CX
	VMOVUPS Z0, K1, 0(AX)
	VMOVUPS Z1, K2, 64(AX)
	VMOVUPS Z2, K3, 128(AX)
	VMOVUPS Z3, K4, 192(AX)
	DECQ CX
	JZ   done3
	ADDQ DX, AX
	VMOVUPS Z4, K1, 0(AX)
	VMOVUPS Z5, K2, 64(AX)
	VMOVUPS Z6, K3, 128(AX)
	VMOVUPS Z7, K4, 192(AX)
	DECQ CX
	JZ   done3
	ADDQ DX, AX
	VMOVUPS Z8, K1, 0(AX)
	VMOVUPS Z9, K2, 64(AX)
	VMOVUPS Z10, K3, 128(AX)
	VMOVUPS Z11, K4, 192(AX)

done3:
	VZEROUPPER
	RET

// convKernel3x8AVX512 is convKernel3AVX512 for exactly 3 rows and 128 full
// columns: eight runs of 16 pixels at xp[x[j] + off[p]], no masks. Per step
// it loads 8 vectors of B and broadcasts 3 values of A for 24 FMAs, where
// the 64-column kernel loads 4 and broadcasts 3 for 12: fewer loads per FMA
// for the input gradients of RGB layers, whose B loads mostly straddle two
// cache lines. C (3 × 128) is overwritten.

// func convKernel3x8AVX512(k int, a *float32, ars int, xp *float32, off *int32, x *[8]int, c *float32, ldc int)
TEXT ·convKernel3x8AVX512(SB), NOSPLIT, $0-64
	MOVQ xp+24(FP), AX
	MOVQ x+40(FP), DX
	RUN_PTRS_3X8
	ZERO_3X8

step38:
	MOVLQSX      (R10), R8
	BROADCAST_3
	VMOVUPS      (DI)(R8*4), Z27
	FMA_RUN3(Z27, Z0, Z8, Z16)
	VMOVUPS      (R13)(R8*4), Z28
	FMA_RUN3(Z28, Z1, Z9, Z17)
	VMOVUPS      (R14)(R8*4), Z29
	FMA_RUN3(Z29, Z2, Z10, Z18)
	VMOVUPS      (BX)(R8*4), Z30
	FMA_RUN3(Z30, Z3, Z11, Z19)
	VMOVUPS      (R12)(R8*4), Z31
	FMA_RUN3(Z31, Z4, Z12, Z20)
	VMOVUPS      (R15)(R8*4), Z27
	FMA_RUN3(Z27, Z5, Z13, Z21)
	VMOVUPS      (R9)(R8*4), Z28
	FMA_RUN3(Z28, Z6, Z14, Z22)
	VMOVUPS      (DX)(R8*4), Z29
	FMA_RUN3(Z29, Z7, Z15, Z23)
	ADDQ         $4, SI
	ADDQ         $4, R10
	DECQ         CX
	JNZ          step38

	MOVQ c+48(FP), AX
	MOVQ ldc+56(FP), DX
	SHLQ $2, DX
	STORE_3X8
	VZEROUPPER
	RET

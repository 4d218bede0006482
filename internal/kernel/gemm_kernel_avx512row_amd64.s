//go:build amd64 && !noasm

#include "textflag.h"
#include "tile8x32_avx512_amd64.h"

// gemmKernelAVX512Row is gemmKernelAVX512 for one row of C (m == 1): C[0][0:n]
// = alpha·Σ_p A[0][p]·B[p][0:n] + beta·C[0][0:n], n ≤ 32, from a packed
// panel of B 32 wide. Each element's sum is the same chain of FMAs, in the
// same order, scaled and stored by the same instructions as a row of the
// 8×32 tile, so it gives the same bits; it does 2 FMAs a step instead of 16,
// of which an 8-row tile computing one row wastes 14.

// func gemmKernelAVX512Row(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)
TEXT ·gemmKernelAVX512Row(SB), NOSPLIT, $0-128
	MOVQ a_base+24(FP), SI
	MOVQ aks+56(FP), R12
	SHLQ $2, R12
	MOVQ b_base+64(FP), DI
	MOVQ c_base+88(FP), DX

	MOVQ n+8(FP), CX
	COLUMN_MASKS

	MOVQ   k+16(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	TESTQ  CX, CX
	JZ     store

	// One chain per column: more chains would change the order of the sums.
loop:
	VMOVUPS      (DI), Z16
	VMOVUPS      64(DI), Z17
	VBROADCASTSS (SI), Z18
	VFMADD231PS  Z16, Z18, Z0
	VFMADD231PS  Z17, Z18, Z1
	ADDQ         R12, SI
	ADDQ         $128, DI
	DECQ         CX
	JNZ          loop

store:
	VBROADCASTSS alpha+120(FP), Z18
	VMULPS       Z18, Z0, Z0
	VMULPS       Z18, Z1, Z1
	MOVL         beta+124(FP), AX
	ANDL         $0x7fffffff, AX
	JZ           overwrite
	VBROADCASTSS beta+124(FP), Z19
	VMOVUPS.Z    (DX), K1, Z20
	VMOVUPS.Z    64(DX), K2, Z21
	VFMADD231PS  Z20, Z19, Z0
	VFMADD231PS  Z21, Z19, Z1

overwrite:
	VMOVUPS Z0, K1, (DX)
	VMOVUPS Z1, K2, 64(DX)
	VZEROUPPER
	RET

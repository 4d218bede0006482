//go:build amd64 && !noasm

#include "textflag.h"
#include "tile3x8_avx512_amd64.h"

// convKernel3x8MaskedAVX512 is convKernel3x8AVX512 on an unpadded image:
// each run's load goes through its mask for the step, 8 masks a step read
// from masks (into K1-K7, and K1 again for the last run), and lanes outside
// the mask are zero, so each sum adds what the padded image's zero lanes
// add: the same bits. The masked-off lanes may lie outside the image; a
// masked load does not touch them.

// STEP_EDGE is one step of the steady kernels, mask me for the even runs
// and mo for the odd ones: rows0 is the load and FMAs of runs 0 and 1
// (RUNS01), or nothing (NO_RUNS) where their image row lies outside the
// image, rows3 those of runs 6 and 7 (RUNS67). A skipped run's products
// are zeros, and adding a zero leaves a sum's bits as they are (a sum that
// starts at +0 never becomes -0), so skipping them gives the masked
// kernel's bits.
#define RUNS01(me, mo) \
	VMOVUPS.Z    (DI)(R8*4), me, Z27 ; \
	FMA_RUN3(Z27, Z0, Z8, Z16) ; \
	VMOVUPS.Z    (R13)(R8*4), mo, Z28 ; \
	FMA_RUN3(Z28, Z1, Z9, Z17)

#define RUNS67(me, mo) \
	VMOVUPS.Z    (R9)(R8*4), me, Z28 ; \
	FMA_RUN3(Z28, Z6, Z14, Z22) ; \
	VMOVUPS.Z    (DX)(R8*4), mo, Z29 ; \
	FMA_RUN3(Z29, Z7, Z15, Z23)

#define NO_RUNS(me, mo)

#define STEP_EDGE(me, mo, rows0, rows3) \
	MOVLQSX      (R10), R8 ; \
	BROADCAST_3 ; \
	rows0(me, mo) ; \
	VMOVUPS.Z    (R14)(R8*4), me, Z29 ; \
	FMA_RUN3(Z29, Z2, Z10, Z18) ; \
	VMOVUPS.Z    (BX)(R8*4), mo, Z30 ; \
	FMA_RUN3(Z30, Z3, Z11, Z19) ; \
	VMOVUPS.Z    (R12)(R8*4), me, Z31 ; \
	FMA_RUN3(Z31, Z4, Z12, Z20) ; \
	VMOVUPS.Z    (R15)(R8*4), mo, Z27 ; \
	FMA_RUN3(Z27, Z5, Z13, Z21) ; \
	rows3(me, mo) ; \
	ADDQ         $4, SI ; \
	ADDQ         $4, R10

// STEP_STEADY is one step with mask me for the even runs and mo for the
// odd ones, all 8 runs.
#define STEP_STEADY(me, mo) STEP_EDGE(me, mo, RUNS01, RUNS67)

// STEADY_PROLOGUE loads the 6 masks and the run pointers, clears the sums
// and sets CX to the turns.
#define STEADY_PROLOGUE \
	MOVQ  masks+48(FP), AX ; \
	KMOVW 0(AX), K1 ; \
	KMOVW 2(AX), K2 ; \
	KMOVW 4(AX), K3 ; \
	KMOVW 6(AX), K4 ; \
	KMOVW 8(AX), K5 ; \
	KMOVW 10(AX), K6 ; \
	MOVQ  x+24(FP), AX ; \
	MOVQ  runs+40(FP), DX ; \
	RUN_PTRS_3X8 ; \
	ZERO_3X8 ; \
	MOVQ  turns+72(FP), CX

// STEADY_EPILOGUE stores the tile.
#define STEADY_EPILOGUE \
	MOVQ c+56(FP), AX ; \
	MOVQ ldc+64(FP), DX ; \
	SHLQ $2, DX ; \
	STORE_3X8 ; \
	VZEROUPPER

// func convKernel3x8MaskedAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *uint16, c *float32, ldc int)
TEXT ·convKernel3x8MaskedAVX512(SB), NOSPLIT, $0-72
	MOVQ x+24(FP), AX
	MOVQ runs+40(FP), DX
	RUN_PTRS_3X8
	MOVQ masks+48(FP), AX
	ZERO_3X8

step38m:
	MOVLQSX      (R10), R8
	KMOVW        0(AX), K1
	KMOVW        2(AX), K2
	KMOVW        4(AX), K3
	KMOVW        6(AX), K4
	KMOVW        8(AX), K5
	KMOVW        10(AX), K6
	KMOVW        12(AX), K7
	BROADCAST_3
	VMOVUPS.Z    (DI)(R8*4), K1, Z27
	FMA_RUN3(Z27, Z0, Z8, Z16)
	VMOVUPS.Z    (R13)(R8*4), K2, Z28
	FMA_RUN3(Z28, Z1, Z9, Z17)
	VMOVUPS.Z    (R14)(R8*4), K3, Z29
	FMA_RUN3(Z29, Z2, Z10, Z18)
	VMOVUPS.Z    (BX)(R8*4), K4, Z30
	FMA_RUN3(Z30, Z3, Z11, Z19)
	VMOVUPS.Z    (R12)(R8*4), K5, Z31
	FMA_RUN3(Z31, Z4, Z12, Z20)
	VMOVUPS.Z    (R15)(R8*4), K6, Z27
	FMA_RUN3(Z27, Z5, Z13, Z21)
	VMOVUPS.Z    (R9)(R8*4), K7, Z28
	FMA_RUN3(Z28, Z6, Z14, Z22)
	KMOVW        14(AX), K1
	VMOVUPS.Z    (DX)(R8*4), K1, Z29
	FMA_RUN3(Z29, Z7, Z15, Z23)
	ADDQ         $4, SI
	ADDQ         $4, R10
	ADDQ         $16, AX
	DECQ         CX
	JNZ          step38m

	MOVQ c+56(FP), AX
	MOVQ ldc+64(FP), DX
	SHLQ $2, DX
	STORE_3X8
	VZEROUPPER
	RET

// convKernel3x8SteadyAVX512 is convKernel3x8MaskedAVX512 for a tile whose
// masks repeat every 3 steps and alternate between even and odd runs (the
// middle rows of CIFAR's input gradient, where only the left and right
// edges mask lanes): the 6 masks are loaded once, into K1-K3 (even runs,
// steps 3q, 3q+1, 3q+2) and K4-K6 (odd runs), and the loop takes 3 steps
// a turn, turns = k/3 of them. Writing a mask register every step, as the
// masked kernel does, cost 15% of its speed on an AMD Zen 4.

// func convKernel3x8SteadyAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *[6]uint16, c *float32, ldc int, turns int)
TEXT ·convKernel3x8SteadyAVX512(SB), NOSPLIT, $0-80
	STEADY_PROLOGUE

step38s:
	STEP_STEADY(K1, K4)
	STEP_STEADY(K2, K5)
	STEP_STEADY(K3, K6)
	DECQ CX
	JNZ  step38s

	STEADY_EPILOGUE
	RET

// convKernel3x8TopAVX512 is convKernel3x8SteadyAVX512 for a tile of the
// image's top rows (steadyTop): a turn is one channel's 9 steps, and the
// first 3 (ki = 0) skip runs 0 and 1, whose image row is above the image.
// On CIFAR's input gradient the masked kernel's top and bottom tiles took
// 1.36 times as long as a middle tile on the steady kernel.

// func convKernel3x8TopAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *[6]uint16, c *float32, ldc int, turns int)
TEXT ·convKernel3x8TopAVX512(SB), NOSPLIT, $0-80
	STEADY_PROLOGUE

step38t:
	STEP_EDGE(K1, K4, NO_RUNS, RUNS67)
	STEP_EDGE(K2, K5, NO_RUNS, RUNS67)
	STEP_EDGE(K3, K6, NO_RUNS, RUNS67)
	STEP_STEADY(K1, K4)
	STEP_STEADY(K2, K5)
	STEP_STEADY(K3, K6)
	STEP_STEADY(K1, K4)
	STEP_STEADY(K2, K5)
	STEP_STEADY(K3, K6)
	DECQ CX
	JNZ  step38t

	STEADY_EPILOGUE
	RET

// convKernel3x8BottomAVX512 is convKernel3x8TopAVX512 for a tile of the
// bottom rows (steadyBottom): the last 3 steps of a turn (ki = 2) skip
// runs 6 and 7, whose image row is below the image.

// func convKernel3x8BottomAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *[6]uint16, c *float32, ldc int, turns int)
TEXT ·convKernel3x8BottomAVX512(SB), NOSPLIT, $0-80
	STEADY_PROLOGUE

step38b:
	STEP_STEADY(K1, K4)
	STEP_STEADY(K2, K5)
	STEP_STEADY(K3, K6)
	STEP_STEADY(K1, K4)
	STEP_STEADY(K2, K5)
	STEP_STEADY(K3, K6)
	STEP_EDGE(K1, K4, RUNS01, NO_RUNS)
	STEP_EDGE(K2, K5, RUNS01, NO_RUNS)
	STEP_EDGE(K3, K6, RUNS01, NO_RUNS)
	DECQ CX
	JNZ  step38b

	STEADY_EPILOGUE
	RET

//go:build amd64 && !noasm

#include "textflag.h"

// convWgradAVX512 is convWgradBlockGo (conv_wgrad.go) on zmm registers: the
// 24 sums of 6 rows × 4 taps live in Z0-Z23, sum (t·6 + r) in Z(t·6 + r).
// Each step of 16 pixels loads the 6 rows of a into Z24-Z29 and each tap's
// 16 pixels of b, unaligned, into Z30 or Z31, then does 6 FMAs per tap:
// 24 FMAs for 10 loads. Rows of a are reached from two pointers (rows
// 0-2 and 3-5) plus multiples of the row stride; the taps are four index
// registers over one pointer into b. The loop is st (convWgradSteps): after
// each row of 16·vecs pixels the pointers move on by aRow and bRow bytes to
// the next row, and after each example's rows by aEx and bEx to the next
// example.

// WGRAD_PROLOGUE loads the 24 sums from acc and sets up the pointers and
// the loop counts; WGRAD_EPILOGUE stores the sums back. Between them: SI
// and R9 point at rows 0 and 3 of a, R11 holds a's row stride in bytes, DI
// points at b and R12, R13, R14, R8 hold the four taps' offsets (floats);
// DX is st.vecs (steps a row), R10 and AX st.aRow and st.bRow (the moves
// from the end of one row to the next), BX counts the examples and R15,
// within one, its rows (st.rows).
#define WGRAD_PROLOGUE \
	MOVQ acc+48(FP), AX ; \
	VMOVUPS 0(AX), Z0 ; \
	VMOVUPS 64(AX), Z1 ; \
	VMOVUPS 128(AX), Z2 ; \
	VMOVUPS 192(AX), Z3 ; \
	VMOVUPS 256(AX), Z4 ; \
	VMOVUPS 320(AX), Z5 ; \
	VMOVUPS 384(AX), Z6 ; \
	VMOVUPS 448(AX), Z7 ; \
	VMOVUPS 512(AX), Z8 ; \
	VMOVUPS 576(AX), Z9 ; \
	VMOVUPS 640(AX), Z10 ; \
	VMOVUPS 704(AX), Z11 ; \
	VMOVUPS 768(AX), Z12 ; \
	VMOVUPS 832(AX), Z13 ; \
	VMOVUPS 896(AX), Z14 ; \
	VMOVUPS 960(AX), Z15 ; \
	VMOVUPS 1024(AX), Z16 ; \
	VMOVUPS 1088(AX), Z17 ; \
	VMOVUPS 1152(AX), Z18 ; \
	VMOVUPS 1216(AX), Z19 ; \
	VMOVUPS 1280(AX), Z20 ; \
	VMOVUPS 1344(AX), Z21 ; \
	VMOVUPS 1408(AX), Z22 ; \
	VMOVUPS 1472(AX), Z23 ; \
	MOVQ a+0(FP), SI ; \
	MOVQ lda+8(FP), R11 ; \
	SHLQ $2, R11 ; \
	LEAQ (SI)(R11*2), R9 ; \
	ADDQ R11, R9 ; \
	MOVQ b+16(FP), DI ; \
	MOVQ off+24(FP), AX ; \
	MOVQ 0(AX), R12 ; \
	MOVQ 8(AX), R13 ; \
	MOVQ 16(AX), R14 ; \
	MOVQ 24(AX), R8 ; \
	MOVQ st+32(FP), R15 ; \
	MOVQ 0(R15), DX ; \
	MOVQ 16(R15), R10 ; \
	MOVQ 24(R15), AX ; \
	MOVQ ne+40(FP), BX

#define WGRAD_EPILOGUE \
	MOVQ acc+48(FP), AX ; \
	VMOVUPS Z0, 0(AX) ; \
	VMOVUPS Z1, 64(AX) ; \
	VMOVUPS Z2, 128(AX) ; \
	VMOVUPS Z3, 192(AX) ; \
	VMOVUPS Z4, 256(AX) ; \
	VMOVUPS Z5, 320(AX) ; \
	VMOVUPS Z6, 384(AX) ; \
	VMOVUPS Z7, 448(AX) ; \
	VMOVUPS Z8, 512(AX) ; \
	VMOVUPS Z9, 576(AX) ; \
	VMOVUPS Z10, 640(AX) ; \
	VMOVUPS Z11, 704(AX) ; \
	VMOVUPS Z12, 768(AX) ; \
	VMOVUPS Z13, 832(AX) ; \
	VMOVUPS Z14, 896(AX) ; \
	VMOVUPS Z15, 960(AX) ; \
	VMOVUPS Z16, 1024(AX) ; \
	VMOVUPS Z17, 1088(AX) ; \
	VMOVUPS Z18, 1152(AX) ; \
	VMOVUPS Z19, 1216(AX) ; \
	VMOVUPS Z20, 1280(AX) ; \
	VMOVUPS Z21, 1344(AX) ; \
	VMOVUPS Z22, 1408(AX) ; \
	VMOVUPS Z23, 1472(AX)

// TAP3_FMA is the step's fourth tap: its 16 pixels of b, unaligned, times
// the 6 rows of a. TAP3_ONES is the fourth tap when it is a plane of ones
// (the bias's row of the column matrix): the rows of a added to the sums,
// on the adders, without a load; an FMA with 1.0 rounds as the add does.
#define TAP3_FMA \
	VMOVUPS (DI)(R8*4), Z31 ; \
	VFMADD231PS Z31, Z24, Z18 ; \
	VFMADD231PS Z31, Z25, Z19 ; \
	VFMADD231PS Z31, Z26, Z20 ; \
	VFMADD231PS Z31, Z27, Z21 ; \
	VFMADD231PS Z31, Z28, Z22 ; \
	VFMADD231PS Z31, Z29, Z23

#define TAP3_ONES \
	VADDPS Z24, Z18, Z18 ; \
	VADDPS Z25, Z19, Z19 ; \
	VADDPS Z26, Z20, Z20 ; \
	VADDPS Z27, Z21, Z21 ; \
	VADDPS Z28, Z22, Z22 ; \
	VADDPS Z29, Z23, Z23

// WGRAD_LOOP runs the examples, rows and steps with tap3 for the fourth
// tap.
#define WGRAD_LOOP(tap3) \
example: ; \
	MOVQ st+32(FP), R15 ; \
	MOVQ 8(R15), R15 ; \
row: ; \
	MOVQ DX, CX ; \
	PCALIGN $64 ; \
step: ; \
	VMOVUPS (SI), Z24 ; \
	VMOVUPS (SI)(R11*1), Z25 ; \
	VMOVUPS (SI)(R11*2), Z26 ; \
	VMOVUPS (R9), Z27 ; \
	VMOVUPS (R9)(R11*1), Z28 ; \
	VMOVUPS (R9)(R11*2), Z29 ; \
	VMOVUPS (DI)(R12*4), Z30 ; \
	VFMADD231PS Z30, Z24, Z0 ; \
	VFMADD231PS Z30, Z25, Z1 ; \
	VFMADD231PS Z30, Z26, Z2 ; \
	VFMADD231PS Z30, Z27, Z3 ; \
	VFMADD231PS Z30, Z28, Z4 ; \
	VFMADD231PS Z30, Z29, Z5 ; \
	VMOVUPS (DI)(R13*4), Z31 ; \
	VFMADD231PS Z31, Z24, Z6 ; \
	VFMADD231PS Z31, Z25, Z7 ; \
	VFMADD231PS Z31, Z26, Z8 ; \
	VFMADD231PS Z31, Z27, Z9 ; \
	VFMADD231PS Z31, Z28, Z10 ; \
	VFMADD231PS Z31, Z29, Z11 ; \
	VMOVUPS (DI)(R14*4), Z30 ; \
	VFMADD231PS Z30, Z24, Z12 ; \
	VFMADD231PS Z30, Z25, Z13 ; \
	VFMADD231PS Z30, Z26, Z14 ; \
	VFMADD231PS Z30, Z27, Z15 ; \
	VFMADD231PS Z30, Z28, Z16 ; \
	VFMADD231PS Z30, Z29, Z17 ; \
	tap3 ; \
	ADDQ $64, SI ; \
	ADDQ $64, R9 ; \
	ADDQ $64, DI ; \
	DECQ CX ; \
	JNZ  step ; \
	ADDQ R10, SI ; \
	ADDQ R10, R9 ; \
	ADDQ AX, DI ; \
	DECQ R15 ; \
	JNZ  row ; \
	MOVQ st+32(FP), R15 ; \
	ADDQ 32(R15), SI ; \
	ADDQ 32(R15), R9 ; \
	ADDQ 40(R15), DI ; \
	DECQ BX ; \
	JNZ  example

// func convWgradAVX512(a *float32, lda int, b *float32, off *[4]int, st *convWgradSteps, ne int, acc *[384]float32)
TEXT ·convWgradAVX512(SB), NOSPLIT, $0-56
	WGRAD_PROLOGUE
	WGRAD_LOOP(TAP3_FMA)
	WGRAD_EPILOGUE
	VZEROUPPER
	RET

// convWgradOnesAVX512 is convWgradAVX512 with the fourth tap a plane of
// ones (TAP3_ONES).

// func convWgradOnesAVX512(a *float32, lda int, b *float32, off *[4]int, st *convWgradSteps, ne int, acc *[384]float32)
TEXT ·convWgradOnesAVX512(SB), NOSPLIT, $0-56
	WGRAD_PROLOGUE
	WGRAD_LOOP(TAP3_ONES)
	WGRAD_EPILOGUE
	VZEROUPPER
	RET

//go:build amd64 && !noasm

#include "textflag.h"

// The 2×2, stride-2 max pool of whole images, forward and backward. Both
// functions take the same arguments after their three pointers, so that
// they share the macros below:
//
//	planes, skip, w, oh, groups, ow int, masks uint64, perm *[4][16]int32
//
// planes planes of rows w wide, the next plane skip values after the last
// window row, each with oh rows of ow = 16·groups + r windows, r < 16.
// The last r windows of a row go through the masks: bits 0-15 cover the
// top and bottom rows' first 16 inputs, 16-31 their next 16, 32-47 the
// outputs; all 0 when r == 0. Masked loads fault on no lane they leave out.
//
// Registers: SI, BX: the top and bottom input rows of the window row; DI,
// DX: its outputs (or output gradients) and indices; R9-R11: the same at
// the row's start; R8: w in bytes; R12: the row's first index in the
// plane (2·oy·w); R13: rows left in the plane; R14: planes left; CX:
// groups left in the row. Z24: the indices of the current windows'
// top-left taps; Z25-Z29: 32, w+1, w, 1 and 2·i in lane i; Z30, Z31: the
// VPERMT2PS indices; K4-K6: the masks.

// SETUP loads the masks and the constants; the caller has put w in R8 and
// loads Z30 and Z31.
#define SETUP \
	MOVQ         masks+72(FP), AX; \
	KMOVW        AX, K4;           \
	SHRQ         $16, AX;          \
	KMOVW        AX, K5;           \
	SHRQ         $16, AX;          \
	KMOVW        AX, K6;           \
	MOVQ         perm+80(FP), AX;  \
	VMOVDQU32    (AX), Z29;        \
	MOVL         $1, AX;           \
	VPBROADCASTD AX, Z28;          \
	MOVQ         R8, AX;           \
	VPBROADCASTD AX, Z27;          \
	INCQ         AX;               \
	VPBROADCASTD AX, Z26;          \
	MOVL         $32, AX;          \
	VPBROADCASTD AX, Z25;          \
	SHLQ         $2, R8

// ROW_START points SI, BX, DI and DX at the row, sets Z24 and CX, and jumps
// to tail when the row has no whole group.
#define ROW_START(tail) \
	MOVQ         R9, SI;             \
	LEAQ         (R9)(R8*1), BX;     \
	MOVQ         R10, DI;            \
	MOVQ         R11, DX;            \
	MOVQ         R12, AX;            \
	VPBROADCASTD AX, Z24;            \
	VPADDD       Z29, Z24, Z24;      \
	MOVQ         groups+56(FP), CX;  \
	TESTQ        CX, CX;             \
	JZ           tail

// GROUP_NEXT moves on to the next 16 windows of the row.
#define GROUP_NEXT \
	VPADDD Z25, Z24, Z24; \
	ADDQ   $128, SI;      \
	ADDQ   $128, BX;      \
	ADDQ   $64, DI;       \
	ADDQ   $64, DX

// ROW_NEXT moves on to the next window row, two input rows down (outputs
// follow on), and to the next plane after the last, looping to row and
// plane.
#define ROW_NEXT(row, plane) \
	LEAQ (R9)(R8*2), R9;     \
	MOVQ ow+64(FP), AX;      \
	LEAQ (R10)(AX*4), R10;   \
	LEAQ (R11)(AX*4), R11;   \
	MOVQ w+40(FP), AX;       \
	LEAQ (R12)(AX*2), R12;   \
	DECQ R13;                \
	JNZ  row;                \
	MOVQ skip+32(FP), AX;    \
	LEAQ (R9)(AX*4), R9;     \
	DECQ R14;                \
	JNZ  plane

// WINDOWS16 pools the 16 windows whose top rows are in Z0:Z1 and bottom
// rows in Z2:Z3: the maxima into Z4, their indices (Z24 plus the tap's
// offset) into Z8. VPERMT2PS with the even and odd columns (Z31, Z30)
// gives each window's taps a, b, c, d in row-major order. Then, tap by
// tap, a tap replaces the running maximum m when !(tap <= m), that is when
// it is larger or NaN, unless m is already NaN: the first NaN wins, and of
// equal values the first, as MaxPoolForward wants. It uses Z5 and K1-K2,
// and changes Z0 and Z2.
#define WINDOWS16 \
	VMOVAPS   Z0, Z4;             \
	VPERMT2PS Z1, Z31, Z4;        \
	VPERMT2PS Z1, Z30, Z0;        \
	VMOVAPS   Z2, Z5;             \
	VPERMT2PS Z3, Z31, Z5;        \
	VPERMT2PS Z3, Z30, Z2;        \
	VPXORD    Z8, Z8, Z8;         \
	VCMPPS    $7, Z4, Z4, K1;     \
	VCMPPS    $6, Z4, Z0, K1, K2; \
	VMOVAPS   Z0, K2, Z4;         \
	VMOVDQA32 Z28, K2, Z8;        \
	VCMPPS    $7, Z4, Z4, K1;     \
	VCMPPS    $6, Z4, Z5, K1, K2; \
	VMOVAPS   Z5, K2, Z4;         \
	VMOVDQA32 Z27, K2, Z8;        \
	VCMPPS    $7, Z4, Z4, K1;     \
	VCMPPS    $6, Z4, Z2, K1, K2; \
	VMOVAPS   Z2, K2, Z4;         \
	VMOVDQA32 Z26, K2, Z8;        \
	VPADDD    Z24, Z8, Z8

// func maxPool2x2AVX512(x, y *float32, arg *int32, planes, skip, w, oh, groups, ow int, masks uint64, perm *[4][16]int32)
//
// maxPool2x2RowGo over every window row of the planes of x, into y and arg.
TEXT ·maxPool2x2AVX512(SB), NOSPLIT, $0-88
	MOVQ      x+0(FP), R9
	MOVQ      y+8(FP), R10
	MOVQ      arg+16(FP), R11
	MOVQ      planes+24(FP), R14
	MOVQ      w+40(FP), R8
	SETUP
	MOVQ      perm+80(FP), AX
	VMOVDQU32 (AX), Z31             // even columns
	VMOVDQU32 64(AX), Z30           // odd columns

plane:
	MOVQ oh+48(FP), R13
	XORQ R12, R12

row:
	ROW_START(tail)

group:
	VMOVUPS   (SI), Z0
	VMOVUPS   64(SI), Z1
	VMOVUPS   (BX), Z2
	VMOVUPS   64(BX), Z3
	WINDOWS16
	VMOVUPS   Z4, (DI)
	VMOVDQU32 Z8, (DX)
	GROUP_NEXT
	DECQ      CX
	JNZ       group

tail:
	KORTESTW  K6, K6
	JZ        next
	VMOVUPS.Z (SI), K4, Z0
	VMOVUPS.Z 64(SI), K5, Z1
	VMOVUPS.Z (BX), K4, Z2
	VMOVUPS.Z 64(BX), K5, Z3
	WINDOWS16
	VMOVUPS   Z4, K6, (DI)
	VMOVDQU32 Z8, K6, (DX)

next:
	ROW_NEXT(row, plane)
	VZEROUPPER
	RET

// UNPOOL16 routes the output gradients of 16 windows, Z0, to their maxima,
// given their indices in Z1: the top rows' 32 values into Z4:Z5, the
// bottom rows' into Z6:Z7. Each window's other three taps get +0, and so
// does its maximum for a gradient of -0, as adding to a cleared dx gives.
// K1 gets the windows whose index is one of their four taps. It uses
// Z1-Z3 and K2.
#define UNPOOL16 \
	VPSUBD Z24, Z1, Z1;                 \
	KXORW  K1, K1, K1;                  \
	UNPOOL_ROW(Z23, Z28, Z4, Z5);       \
	UNPOOL_ROW(Z27, Z26, Z6, Z7)

// UNPOOL_ROW writes one row of the windows' taps: the gradients of the
// windows whose tap offset (Z1) is left, interleaved with those whose
// offset is right (Z31: first halves, Z30: second halves), into lo:hi,
// +0 elsewhere (Z23 is +0, and adding it turns -0 into +0). It adds the
// windows it routed to K1.
#define UNPOOL_ROW(left, right, lo, hi) \
	VPCMPEQD  left, Z1, K2;  \
	VMOVAPS.Z Z0, K2, Z2;    \
	KORW      K1, K2, K1;    \
	VPCMPEQD  right, Z1, K2; \
	VMOVAPS.Z Z0, K2, Z3;    \
	KORW      K1, K2, K1;    \
	VADDPS    Z23, Z2, Z2;   \
	VADDPS    Z23, Z3, Z3;   \
	VMOVAPS   Z2, lo;        \
	VPERMT2PS Z3, Z31, lo;   \
	VMOVAPS   Z2, hi;        \
	VPERMT2PS Z3, Z30, hi

// func maxPool2x2BackwardAVX512(dy *float32, arg *int32, dx *float32, planes, skip, w, oh, groups, ow int, masks uint64, perm *[4][16]int32) bool
//
// MaxPoolBackward for windows that tile the planes of dx exactly (w =
// 2·ow, 2·oh rows, skip = 0): every pixel is written, its window's output
// gradient if it is the window's maximum by arg, else +0. It returns false,
// having written some of dx, at the first window whose index in arg is
// none of its four taps. Here SI and BX are rows of dx, and DI, DX the
// gradients and indices that go there.
TEXT ·maxPool2x2BackwardAVX512(SB), NOSPLIT, $0-89
	MOVQ      dx+16(FP), R9
	MOVQ      dy+0(FP), R10
	MOVQ      arg+8(FP), R11
	MOVQ      planes+24(FP), R14
	MOVQ      w+40(FP), R8
	SETUP
	MOVQ      perm+80(FP), AX
	VMOVDQU32 128(AX), Z31          // first halves interleaved
	VMOVDQU32 192(AX), Z30          // second halves interleaved
	KNOTW     K6, K7                // the lanes past a row's tail
	VPXORD    Z23, Z23, Z23

bplane:
	MOVQ oh+48(FP), R13
	XORQ R12, R12

brow:
	ROW_START(btail)

bgroup:
	VMOVUPS   (DI), Z0
	VMOVDQU32 (DX), Z1
	UNPOOL16
	KORTESTW  K1, K1
	JCC       bad
	VMOVUPS   Z4, (SI)
	VMOVUPS   Z5, 64(SI)
	VMOVUPS   Z6, (BX)
	VMOVUPS   Z7, 64(BX)
	GROUP_NEXT
	DECQ      CX
	JNZ       bgroup

btail:
	KORTESTW    K6, K6
	JZ          bnext
	VMOVUPS.Z   (DI), K6, Z0
	VMOVDQU32.Z (DX), K6, Z1
	UNPOOL16
	KORW        K1, K7, K1
	KORTESTW    K1, K1
	JCC         bad
	VMOVUPS     Z4, K4, (SI)
	VMOVUPS     Z5, K5, 64(SI)
	VMOVUPS     Z6, K4, (BX)
	VMOVUPS     Z7, K5, 64(BX)

bnext:
	ROW_NEXT(brow, bplane)
	VZEROUPPER
	MOVB $1, ret+88(FP)
	RET

bad:
	VZEROUPPER
	MOVB $0, ret+88(FP)
	RET

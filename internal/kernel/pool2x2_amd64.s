//go:build amd64 && !noasm

#include "textflag.h"

// WINDOWS8 pools 8 windows: Y0:Y1 hold 16 values of the top row, Y2:Y3 of
// the bottom row. It leaves the maxima in Y4 and their indices in Y5, using
// Y6-Y10 as scratch. Shuffles split each row into even and odd columns (the
// shuffle works within 128-bit halves, so a VPERMPD puts the windows back in
// order), giving the taps a, b, c, d of each window in row-major order. Then,
// tap by tap, a tap replaces the running maximum m when !(tap <= m), that
// is when it is larger or NaN, unless m is already NaN: the first NaN wins,
// and of equal values the first, as MaxPoolForward wants.
#define WINDOWS8 \
	VSHUFPS   $0x88, Y1, Y0, Y4;  \
	VSHUFPS   $0xdd, Y1, Y0, Y5;  \
	VSHUFPS   $0x88, Y3, Y2, Y6;  \
	VSHUFPS   $0xdd, Y3, Y2, Y7;  \
	VPERMPD   $0xd8, Y4, Y4;      \
	VPERMPD   $0xd8, Y5, Y5;      \
	VPERMPD   $0xd8, Y6, Y6;      \
	VPERMPD   $0xd8, Y7, Y7;      \
	VPXOR     Y8, Y8, Y8;         \
	VCMPPS    $7, Y4, Y4, Y9;     \
	VCMPPS    $6, Y4, Y5, Y10;    \
	VANDPS    Y9, Y10, Y10;       \
	VBLENDVPS Y10, Y5, Y4, Y4;    \
	VBLENDVPS Y10, ONE, Y8, Y8;   \
	VCMPPS    $7, Y4, Y4, Y9;     \
	VCMPPS    $6, Y4, Y6, Y10;    \
	VANDPS    Y9, Y10, Y10;       \
	VBLENDVPS Y10, Y6, Y4, Y4;    \
	VBLENDVPS Y10, WIDTH, Y8, Y8; \
	VCMPPS    $7, Y4, Y4, Y9;     \
	VCMPPS    $6, Y4, Y7, Y10;    \
	VANDPS    Y9, Y10, Y10;       \
	VBLENDVPS Y10, Y7, Y4, Y4;    \
	VBLENDVPS Y10, WIDTH1, Y8, Y8; \
	VPADDD    IDX, Y8, Y5

// func maxPool2x2RowAVX2(r0, r1, y []float32, arg []int32, base, w int)
TEXT ·maxPool2x2RowAVX2(SB), NOSPLIT, $0-112
#define R0 SI
#define R1 BX
#define Y_PTR DI
#define ARG DX
#define N CX
#define IDX Y15
#define ONE Y14
#define WIDTH Y13
#define WIDTH1 Y12
#define STEP Y11
	MOVQ         r0_base+0(FP), R0
	MOVQ         r1_base+24(FP), R1
	MOVQ         y_base+48(FP), Y_PTR
	MOVQ         y_len+56(FP), N
	MOVQ         arg_base+72(FP), ARG
	VPBROADCASTD base+96(FP), IDX
	VPADDD       ·pool2x2Ramp(SB), IDX, IDX // base + 2·ox
	MOVL         $1, AX
	MOVQ         AX, X14
	VPBROADCASTD X14, ONE
	VPBROADCASTD w+104(FP), WIDTH
	VPADDD       ONE, WIDTH, WIDTH1
	MOVL         $16, AX
	MOVQ         AX, X11
	VPBROADCASTD X11, STEP

loop8:
	CMPQ    N, $8
	JL      tail
	VMOVUPS (R0), Y0
	VMOVUPS 32(R0), Y1
	VMOVUPS (R1), Y2
	VMOVUPS 32(R1), Y3
	WINDOWS8
	VMOVUPS Y4, (Y_PTR)
	VMOVDQU Y5, (ARG)
	VPADDD  STEP, IDX, IDX
	ADDQ    $64, R0
	ADDQ    $64, R1
	ADDQ    $32, Y_PTR
	ADDQ    $32, ARG
	SUBQ    $8, N
	JMP     loop8

tail:
	// r = N < 8 windows left: 2r inputs per row, min(2r, 8) in the first
	// ymm and the rest in the second; tailMask at 8-q has q lanes set.
	TESTQ      N, N
	JZ         done
	LEAQ       ·tailMask(SB), AX
	LEAQ       (N)(N*1), R8 // 2r
	MOVQ       $8, R9
	CMPQ       R8, R9
	CMOVQLT    R8, R9       // q0 = min(2r, 8)
	SUBQ       R9, R8       // q1 = 2r - q0
	NEGQ       R9
	NEGQ       R8
	VMOVDQU    32(AX)(R9*4), Y9
	VMOVDQU    32(AX)(R8*4), Y10
	VMASKMOVPS (R0), Y9, Y0
	VMASKMOVPS 32(R0), Y10, Y1
	VMASKMOVPS (R1), Y9, Y2
	VMASKMOVPS 32(R1), Y10, Y3
	NEGQ       N
	VMOVDQU    32(AX)(N*4), STEP // the output mask
	WINDOWS8
	VMASKMOVPS Y4, STEP, (Y_PTR)
	VMASKMOVPS Y5, STEP, (ARG)

done:
	VZEROUPPER
	RET

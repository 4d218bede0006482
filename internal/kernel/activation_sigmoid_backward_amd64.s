//go:build amd64 && !noasm

#include "textflag.h"

// BODY sets Y0 = f(y = Y0, dy = Y1).
#define BODY \
	VMULPS     Y0, Y1, Y1;  \
	VSUBPS     Y0, ONE, Y0; \
	VMULPS     Y0, Y1, Y0

// func sigmoidBackwardAVX2(y, dy, dx []float32)
//
// dx = dy·y·(1-y), multiplied left to right as the Go loop does.
TEXT ·sigmoidBackwardAVX2(SB), NOSPLIT, $0-72
#define Y_PTR SI
#define DY_PTR BX
#define DX_PTR DI
#define N CX
#define ONE Y15
#define MASK Y14
	MOVQ         y_base+0(FP), Y_PTR
	MOVQ         y_len+8(FP), N
	MOVQ         dy_base+24(FP), DY_PTR
	MOVQ         dx_base+48(FP), DX_PTR
	MOVL         $0x3f800000, AX
	MOVQ         AX, X15
	VBROADCASTSS X15, ONE

loop8:
	CMPQ    N, $8
	JL      tail
	VMOVUPS (Y_PTR), Y0
	VMOVUPS (DY_PTR), Y1
	BODY
	VMOVUPS Y0, (DX_PTR)
	ADDQ    $32, Y_PTR
	ADDQ    $32, DY_PTR
	ADDQ    $32, DX_PTR
	SUBQ    $8, N
	JMP     loop8

tail:
	TESTQ      N, N
	JZ         done
	LEAQ       ·tailMask(SB), AX
	NEGQ       N
	VMOVDQU    32(AX)(N*4), MASK
	VMASKMOVPS (Y_PTR), MASK, Y0
	VMASKMOVPS (DY_PTR), MASK, Y1
	BODY
	VMASKMOVPS Y0, MASK, (DX_PTR)

done:
	VZEROUPPER
	RET

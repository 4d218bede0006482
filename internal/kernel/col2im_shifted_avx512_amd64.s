//go:build amd64 && !noasm

#include "textflag.h"

// func shiftedCol2imAVX512(col *float32, colStride int, dxp *float32, plane, channels int, starts, terms *int32, nvec int, lastMask uint16)
//
// SI: the channel's first row of col; DI: its plane of dxp; R13: the
// vector being summed; BX: its index; AX, DX: its terms [AX, DX).
TEXT ·shiftedCol2imAVX512(SB), NOSPLIT, $0-66
	MOVQ  col+0(FP), SI
	MOVQ  colStride+8(FP), R8
	MOVQ  dxp+16(FP), DI
	MOVQ  plane+24(FP), R9
	MOVQ  channels+32(FP), CX
	MOVQ  starts+40(FP), R10
	MOVQ  terms+48(FP), R11
	MOVQ  nvec+56(FP), R12
	KMOVW lastMask+64(FP), K3

channel:
	XORQ BX, BX
	MOVQ DI, R13

vector:
	VXORPS  Z0, Z0, Z0
	MOVLQSX (R10)(BX*4), AX
	MOVLQSX 4(R10)(BX*4), DX
	CMPQ    AX, DX
	JGE     store

term:
	MOVLQSX (R11)(AX*8), R14
	KMOVW   4(R11)(AX*8), K2
	VADDPS  (SI)(R14*4), Z0, K2, Z0
	INCQ    AX
	CMPQ    AX, DX
	JLT     term

store:
	LEAQ    1(BX), DX
	CMPQ    DX, R12
	JEQ     lastvec
	VMOVUPS Z0, (R13)
	ADDQ    $64, R13
	MOVQ    DX, BX
	JMP     vector

lastvec:
	VMOVUPS Z0, K3, (R13)
	ADDQ    R8, SI
	ADDQ    R9, DI
	DECQ    CX
	JNZ     channel
	VZEROUPPER
	RET

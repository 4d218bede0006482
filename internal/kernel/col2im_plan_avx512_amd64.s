//go:build amd64 && !noasm

#include "textflag.h"

// func col2imSetAVX512(col *float32, colStride int, dxp *float32, plane, channels int, starts, terms *int32, nvec int, lastMask uint16)
//
// Vectors are summed two at a time, in Z0 and Z1, a term of each in turn:
// each sum is a chain of dependent adds, and a second chain beside it
// keeps the adder busy while the first waits. Each still adds its own
// terms in order.
//
// SI: the channel's first row of col; DI: its plane of dxp; R13: the
// vector being stored; BX: its index; AX, DX: the first vector's terms
// [AX, DX); R14, R15: the second's; R12: a term's offset.

// ADD_TERM adds term i (offset, lane mask) to acc, masked by k, and moves
// i on.
#define ADD_TERM(i, k, acc) \
	MOVLQSX (R11)(i*8), R12 ; \
	KMOVW   4(R11)(i*8), k ; \
	VADDPS  (SI)(R12*4), acc, k, acc ; \
	INCQ    i

TEXT ·col2imSetAVX512(SB), NOSPLIT, $0-66
	MOVQ  col+0(FP), SI
	MOVQ  colStride+8(FP), R8
	MOVQ  dxp+16(FP), DI
	MOVQ  plane+24(FP), R9
	MOVQ  channels+32(FP), CX
	MOVQ  starts+40(FP), R10
	MOVQ  terms+48(FP), R11
	KMOVW lastMask+64(FP), K3

channel:
	XORQ BX, BX
	MOVQ DI, R13

vector:
	LEAQ    1(BX), DX
	CMPQ    DX, nvec+56(FP)
	JEQ     single
	VXORPS  Z0, Z0, Z0
	VXORPS  Z1, Z1, Z1
	MOVLQSX (R10)(BX*4), AX
	MOVLQSX 4(R10)(BX*4), DX
	MOVQ    DX, R14
	MOVLQSX 8(R10)(BX*4), R15

both:
	CMPQ    AX, DX
	JGE     rest1
	CMPQ    R14, R15
	JGE     rest0
	ADD_TERM(AX, K2, Z0)
	ADD_TERM(R14, K4, Z1)
	JMP     both

rest0:
	CMPQ    AX, DX
	JGE     pair
	ADD_TERM(AX, K2, Z0)
	JMP     rest0

rest1:
	CMPQ    R14, R15
	JGE     pair
	ADD_TERM(R14, K4, Z1)
	JMP     rest1

pair:
	VMOVUPS Z0, (R13)
	LEAQ    2(BX), DX
	CMPQ    DX, nvec+56(FP)
	JEQ     lastpair
	VMOVUPS Z1, 64(R13)
	ADDQ    $128, R13
	MOVQ    DX, BX
	JMP     vector

lastpair:
	VMOVUPS Z1, K3, 64(R13)
	JMP     next

// The last vector of an odd count, alone.
single:
	VXORPS  Z0, Z0, Z0
	MOVLQSX (R10)(BX*4), AX
	MOVLQSX 4(R10)(BX*4), DX

term:
	CMPQ    AX, DX
	JGE     lastvec
	ADD_TERM(AX, K2, Z0)
	JMP     term

lastvec:
	VMOVUPS Z0, K3, (R13)

next:
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ CX
	JNZ  channel
	VZEROUPPER
	RET

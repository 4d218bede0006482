//go:build amd64 && !noasm

#include "textflag.h"

// func copyAddScalarAVX2(dst, src []float32, b float32)
TEXT ·copyAddScalarAVX2(SB), NOSPLIT, $0-52
#define DST DI
#define SRC SI
#define N CX
#define B Y15
#define MASK Y14
	MOVQ         dst_base+0(FP), DST
	MOVQ         dst_len+8(FP), N
	MOVQ         src_base+24(FP), SRC
	VBROADCASTSS b+48(FP), B

loop16:
	CMPQ    N, $16
	JL      loop8
	VADDPS  (SRC), B, Y0
	VADDPS  32(SRC), B, Y1
	VMOVUPS Y0, (DST)
	VMOVUPS Y1, 32(DST)
	ADDQ    $64, DST
	ADDQ    $64, SRC
	SUBQ    $16, N
	JMP     loop16

loop8:
	CMPQ    N, $8
	JL      tail
	VADDPS  (SRC), B, Y0
	VMOVUPS Y0, (DST)
	ADDQ    $32, DST
	ADDQ    $32, SRC
	SUBQ    $8, N
	JMP     loop8

tail:
	TESTQ      N, N
	JZ         done
	LEAQ       ·tailMask(SB), AX
	NEGQ       N
	VMOVDQU    32(AX)(N*4), MASK
	VMASKMOVPS (SRC), MASK, Y0
	VADDPS     Y0, B, Y0
	VMASKMOVPS Y0, MASK, (DST)

done:
	VZEROUPPER
	RET

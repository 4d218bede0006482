//go:build amd64 && !noasm

#include "textflag.h"

// func addToAVX2(dst, src []float32)
TEXT ·addToAVX2(SB), NOSPLIT, $0-48
#define DST DI
#define SRC SI
#define N CX
#define MASK Y14
	MOVQ dst_base+0(FP), DST
	MOVQ dst_len+8(FP), N
	MOVQ src_base+24(FP), SRC

loop32:
	CMPQ    N, $32
	JL      loop8
	VMOVUPS (DST), Y0
	VMOVUPS 32(DST), Y1
	VMOVUPS 64(DST), Y2
	VMOVUPS 96(DST), Y3
	VADDPS  (SRC), Y0, Y0
	VADDPS  32(SRC), Y1, Y1
	VADDPS  64(SRC), Y2, Y2
	VADDPS  96(SRC), Y3, Y3
	VMOVUPS Y0, (DST)
	VMOVUPS Y1, 32(DST)
	VMOVUPS Y2, 64(DST)
	VMOVUPS Y3, 96(DST)
	ADDQ    $128, DST
	ADDQ    $128, SRC
	SUBQ    $32, N
	JMP     loop32

loop8:
	CMPQ    N, $8
	JL      tail
	VMOVUPS (DST), Y0
	VADDPS  (SRC), Y0, Y0
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
	VMASKMOVPS (DST), MASK, Y0
	VMASKMOVPS (SRC), MASK, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, MASK, (DST)

done:
	VZEROUPPER
	RET

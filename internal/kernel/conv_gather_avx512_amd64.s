//go:build amd64 && !noasm

#include "textflag.h"

// convGatherAVX512 packs k rows of w (16 or 32) lanes from the padded image:
// each row starts from zeros in Z0 (lanes 0-15) and Z1 (16-31), each
// segment merges one masked load into each, and the row is stored whole.
// Masked-off lanes are neither read nor faulted on, so a segment's load may
// start before xp or end past it.

#define K_ CX
#define XP SI
#define OFF DI
#define SEGS R8
#define NSEG R9
#define DST DX
#define LDD R10
#define W R11
#define ROW AX
#define SEG BX
#define S R12
#define DISP R13

// func convGatherAVX512(k int, xp []float32, off []int32, segs []convSeg, dst []float32, ldd, w int)
TEXT ·convGatherAVX512(SB), NOSPLIT, $0-120
	MOVQ k+0(FP), K_
	MOVQ xp_base+8(FP), XP
	MOVQ off_base+32(FP), OFF
	MOVQ segs_base+56(FP), SEGS
	MOVQ segs_len+64(FP), NSEG
	MOVQ dst_base+80(FP), DST
	MOVQ ldd+104(FP), LDD
	SHLQ $2, LDD
	MOVQ w+112(FP), W
	TESTQ K_, K_
	JZ    done

row:
	MOVLQSX (OFF), ROW
	LEAQ    (XP)(ROW*4), ROW
	VPXORD  Z0, Z0, Z0
	VPXORD  Z1, Z1, Z1
	MOVQ    SEGS, SEG
	MOVQ    NSEG, S

seg:
	KMOVW   (SEG), K1
	KMOVW   2(SEG), K2
	MOVLQSX 4(SEG), DISP
	VMOVUPS (ROW)(DISP*4), K1, Z0
	VMOVUPS 64(ROW)(DISP*4), K2, Z1
	ADDQ    $8, SEG
	DECQ    S
	JNZ     seg

	VMOVUPS Z0, (DST)
	CMPQ    W, $16
	JEQ     next
	VMOVUPS Z1, 64(DST)

next:
	ADDQ $4, OFF
	ADDQ LDD, DST
	DECQ K_
	JNZ  row

done:
	VZEROUPPER
	RET

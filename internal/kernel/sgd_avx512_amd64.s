//go:build amd64 && !noasm

#include "textflag.h"
#include "prefetchw_amd64.h"

// func momentumStepAVX512(w, grad, b *float32, vecs int, mask uint16, lr, mu, wd float32)
TEXT ·momentumStepAVX512(SB), NOSPLIT, $0-48
	MOVQ         w+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         vecs+24(FP), CX
	KMOVW        mask+32(FP), K1
	VBROADCASTSS lr+36(FP), Z4
	VBROADCASTSS mu+40(FP), Z5
	VBROADCASTSS wd+44(FP), Z6
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           tail

loop:
	PREFETCHW_W
	VMOVUPS      (DI)(AX*1), Z0
	VMOVUPS      (SI)(AX*1), Z1
	VFMADD231PS  Z6, Z0, Z1       // g + wd·w
	VMOVUPS      (DX)(AX*1), Z2
	VFMADD213PS  Z1, Z5, Z2       // mu·b + (g + wd·w)
	VMOVUPS      Z2, (DX)(AX*1)
	VFNMADD231PS Z4, Z2, Z0       // w - lr·b
	VMOVUPS      Z0, (DI)(AX*1)
	ADDQ         $64, AX
	DECQ         CX
	JNZ          loop

tail:
	VMOVUPS.Z    (DI)(AX*1), K1, Z0
	VMOVUPS.Z    (SI)(AX*1), K1, Z1
	VFMADD231PS  Z6, Z0, Z1
	VMOVUPS.Z    (DX)(AX*1), K1, Z2
	VFMADD213PS  Z1, Z5, Z2
	VMOVUPS      Z2, K1, (DX)(AX*1)
	VFNMADD231PS Z4, Z2, Z0
	VMOVUPS      Z0, K1, (DI)(AX*1)
	VZEROUPPER
	RET

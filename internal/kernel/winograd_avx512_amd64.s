//go:build amd64 && !noasm

#include "textflag.h"

// winogradBlockAVX512 is winogradBlockGo: one tile row, 16 tiles (32
// output columns), all filters, two filters a turn. Each lane of a vector
// holds one tile (in the order of winoEven). See winograd.go for the math.
//
// Phase 1 writes V[r][j][c] = (Bᵀ·d_c·B)[r][j] for the 16 tiles to v, at
// float (12·r + 3·j + c)·16. The 4×4 patch of tile t, row i of channel c,
// is xp[c·cs + i·ldx + 2t + k] for k = 0..3: the even and odd lanes of
// the padded row from column 0 (k = 0, 1) and from column 2 (k = 2, 3),
// picked out of 32 loaded values by VPERMT2PS.
//
// Phase 2, per pair of filters a and b (u rows 64 floats apart, at UA and
// UA+256): with M[r][j] = Σ_c U[r][j][c]·V[r][j][c], it keeps
//
//	S0[j] = M[0][j] + M[1][j] + M[2][j]      (a: Z16-Z19, b: Z24-Z27)
//	S1[j] = M[1][j] - M[2][j] - M[3][j]      (a: Z20-Z23, b: Z28-Z31)
//
// loading one row r of V at a time (Z0-Z11, V[r][j][c] in Z(3j+c)); row
// 2's M goes through Z12-Z15 and row 3's is subtracted by VFNMADD. The
// bias is added to M[1][1], which Aᵀ·M·A adds to all four outputs. Then
// out row p of the tile row is (S_p[0]+S_p[1]+S_p[2], S_p[1]-S_p[2]-S_p[3])
// per tile, interleaved into 32 columns by VUNPCKLPS and VUNPCKHPS.

#define XP SI
#define LDX R8
#define CS R9
#define UA DI
#define OP DX
#define LDO R10
#define PL R11
#define VS BX
#define N CX
#define P0 R12
#define P1 R13
#define P2 R14

// PATCH_ROW loads row i (pointer p) of the 16 patches, d0-d3 in Z16-Z19
// through the indexes winoEven (Z20) and winoOdd (Z21), and applies B on
// the right: W0 = d0-d2, W1 = d1+d2, W2 = d2-d1, W3 = d1-d3.
#define PATCH_ROW(p, w0, w1, w2, w3) \
	VMOVUPS   (p), Z16 ; \
	VPERMT2PS 64(p), Z20, Z16 ; \
	VMOVUPS   (p), Z17 ; \
	VPERMT2PS 64(p), Z21, Z17 ; \
	VMOVUPS   8(p), Z18 ; \
	VPERMT2PS 72(p), Z20, Z18 ; \
	VMOVUPS   8(p), Z19 ; \
	VPERMT2PS 72(p), Z21, Z19 ; \
	VSUBPS    Z18, Z16, w0 ; \
	VADDPS    Z18, Z17, w1 ; \
	VSUBPS    Z17, Z18, w2 ; \
	VSUBPS    Z19, Z17, w3

// PATCH_COL applies Bᵀ on the left to column j of W (rows w0-w3) and
// stores V[0..3][j][c].
#define PATCH_COL(j, c, w0, w1, w2, w3) \
	VSUBPS  w2, w0, Z22 ; \
	VMOVUPS Z22, ((0*12+j*3+c)*64)(VS) ; \
	VADDPS  w2, w1, Z23 ; \
	VMOVUPS Z23, ((1*12+j*3+c)*64)(VS) ; \
	VSUBPS  w1, w2, Z24 ; \
	VMOVUPS Z24, ((2*12+j*3+c)*64)(VS) ; \
	VSUBPS  w3, w1, Z25 ; \
	VMOVUPS Z25, ((3*12+j*3+c)*64)(VS)

// CHANNEL writes V for channel c, whose patch rows start at P0.
#define CHANNEL(c) \
	MOVQ P0, P1 ; \
	PATCH_ROW(P1, Z0, Z1, Z2, Z3) ; \
	ADDQ LDX, P1 ; \
	PATCH_ROW(P1, Z4, Z5, Z6, Z7) ; \
	ADDQ LDX, P1 ; \
	PATCH_ROW(P1, Z8, Z9, Z10, Z11) ; \
	ADDQ LDX, P1 ; \
	PATCH_ROW(P1, Z12, Z13, Z14, Z15) ; \
	PATCH_COL(0, c, Z0, Z4, Z8, Z12) ; \
	PATCH_COL(1, c, Z1, Z5, Z9, Z13) ; \
	PATCH_COL(2, c, Z2, Z6, Z10, Z14) ; \
	PATCH_COL(3, c, Z3, Z7, Z11, Z15) ; \
	ADDQ CS, P0

// LOAD_V loads row r of V into Z0-Z11.
#define LOAD_V(r) \
	VMOVUPS ((r*12+0)*64)(VS), Z0 ; \
	VMOVUPS ((r*12+1)*64)(VS), Z1 ; \
	VMOVUPS ((r*12+2)*64)(VS), Z2 ; \
	VMOVUPS ((r*12+3)*64)(VS), Z3 ; \
	VMOVUPS ((r*12+4)*64)(VS), Z4 ; \
	VMOVUPS ((r*12+5)*64)(VS), Z5 ; \
	VMOVUPS ((r*12+6)*64)(VS), Z6 ; \
	VMOVUPS ((r*12+7)*64)(VS), Z7 ; \
	VMOVUPS ((r*12+8)*64)(VS), Z8 ; \
	VMOVUPS ((r*12+9)*64)(VS), Z9 ; \
	VMOVUPS ((r*12+10)*64)(VS), Z10 ; \
	VMOVUPS ((r*12+11)*64)(VS), Z11

// DOT_MUL sets acc to Σ_c U[off/4 + c]·V(v_c); DOT_SUB subtracts it.
#define DOT_MUL(off, v0, v1, v2, acc) \
	VMULPS.BCST      off(UA), v0, acc ; \
	VFMADD231PS.BCST off+4(UA), v1, acc ; \
	VFMADD231PS.BCST off+8(UA), v2, acc

#define DOT_SUB(off, v0, v1, v2, acc) \
	VFNMADD231PS.BCST off(UA), v0, acc ; \
	VFNMADD231PS.BCST off+4(UA), v1, acc ; \
	VFNMADD231PS.BCST off+8(UA), v2, acc

// ROW_MUL sets a0-a3 to M[r][0..3] of the filter whose U is at UA+base.
#define ROW_MUL(r, base, a0, a1, a2, a3) \
	DOT_MUL((r*12+0)*4+base, Z0, Z1, Z2, a0) ; \
	DOT_MUL((r*12+3)*4+base, Z3, Z4, Z5, a1) ; \
	DOT_MUL((r*12+6)*4+base, Z6, Z7, Z8, a2) ; \
	DOT_MUL((r*12+9)*4+base, Z9, Z10, Z11, a3)

// ROW_SUB subtracts M[r][0..3] from a0-a3.
#define ROW_SUB(r, base, a0, a1, a2, a3) \
	DOT_SUB((r*12+0)*4+base, Z0, Z1, Z2, a0) ; \
	DOT_SUB((r*12+3)*4+base, Z3, Z4, Z5, a1) ; \
	DOT_SUB((r*12+6)*4+base, Z6, Z7, Z8, a2) ; \
	DOT_SUB((r*12+9)*4+base, Z9, Z10, Z11, a3)

#define ADD4(a0, a1, a2, a3, s0, s1, s2, s3) \
	VADDPS a0, s0, s0 ; \
	VADDPS a1, s1, s1 ; \
	VADDPS a2, s2, s2 ; \
	VADDPS a3, s3, s3

#define SUB4(a0, a1, a2, a3, s0, s1, s2, s3) \
	VSUBPS a0, s0, s0 ; \
	VSUBPS a1, s1, s1 ; \
	VSUBPS a2, s2, s2 ; \
	VSUBPS a3, s3, s3

// OUT_ROW applies Aᵀ on the right to S_p (s0-s3) and stores the 32
// outputs at p: (s0+s1+s2, s1-s2-s3) per tile. The lanes hold the tiles
// in the order winoEven and winoOdd put them in, so that interleaving
// the two within each 128-bit lane (through tmp) lays them out in order.
#define OUT_ROW(s0, s1, s2, s3, p, tmp) \
	VADDPS    s1, s0, s0 ; \
	VADDPS    s2, s0, s0 ; \
	VSUBPS    s2, s1, s1 ; \
	VSUBPS    s3, s1, s1 ; \
	VUNPCKLPS s1, s0, tmp ; \
	VUNPCKHPS s1, s0, s0 ; \
	VMOVUPS   tmp, (p) ; \
	VMOVUPS   s0, 64(p)

// func winogradBlockAVX512(xp *float32, ldx, cs int, u *float32, pairs int, out *float32, ldo, plane int, v *float32)
TEXT ·winogradBlockAVX512(SB), NOSPLIT, $0-72
	MOVQ xp+0(FP), XP
	MOVQ ldx+8(FP), LDX
	SHLQ $2, LDX
	MOVQ cs+16(FP), CS
	SHLQ $2, CS
	MOVQ u+24(FP), UA
	MOVQ pairs+32(FP), N
	MOVQ out+40(FP), OP
	MOVQ ldo+48(FP), LDO
	SHLQ $2, LDO
	MOVQ plane+56(FP), PL
	SHLQ $2, PL
	MOVQ v+64(FP), VS

	VMOVUPS winoEven<>(SB), Z20
	VMOVUPS winoOdd<>(SB), Z21
	MOVQ    XP, P0
	CHANNEL(0)
	CHANNEL(1)
	CHANNEL(2)

pair:
	LOAD_V(0)
	ROW_MUL(0, 0, Z16, Z17, Z18, Z19)
	ROW_MUL(0, 256, Z24, Z25, Z26, Z27)
	LOAD_V(1)
	ROW_MUL(1, 0, Z20, Z21, Z22, Z23)
	ROW_MUL(1, 256, Z28, Z29, Z30, Z31)
	VADDPS.BCST 192(UA), Z21, Z21
	VADDPS.BCST 448(UA), Z29, Z29
	ADD4(Z20, Z21, Z22, Z23, Z16, Z17, Z18, Z19)
	ADD4(Z28, Z29, Z30, Z31, Z24, Z25, Z26, Z27)
	LOAD_V(2)
	ROW_MUL(2, 0, Z12, Z13, Z14, Z15)
	ADD4(Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19)
	SUB4(Z12, Z13, Z14, Z15, Z20, Z21, Z22, Z23)
	ROW_MUL(2, 256, Z12, Z13, Z14, Z15)
	ADD4(Z12, Z13, Z14, Z15, Z24, Z25, Z26, Z27)
	SUB4(Z12, Z13, Z14, Z15, Z28, Z29, Z30, Z31)
	LOAD_V(3)
	ROW_SUB(3, 0, Z20, Z21, Z22, Z23)
	ROW_SUB(3, 256, Z28, Z29, Z30, Z31)

	LEAQ    (OP)(LDO*1), P0
	LEAQ    (OP)(PL*1), P1
	LEAQ    (P1)(LDO*1), P2
	OUT_ROW(Z16, Z17, Z18, Z19, OP, Z0)
	OUT_ROW(Z20, Z21, Z22, Z23, P0, Z0)
	OUT_ROW(Z24, Z25, Z26, Z27, P1, Z0)
	OUT_ROW(Z28, Z29, Z30, Z31, P2, Z0)

	ADDQ $512, UA
	LEAQ (OP)(PL*2), OP
	DECQ N
	JNZ  pair

	VZEROUPPER
	RET

// The padded columns 2t (winoEven) and 2t+1 (winoOdd) of the 32 loaded
// from a patch row, for the tile t that lane l holds: t = 0, 1, 8, 9, 2,
// 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15. VUNPCKLPS of a tile's two output
// columns, (y0, y1), then gives lanes 0, 1, 4, 5, ... of each, tiles 0-7
// in order: output columns 0-15; VUNPCKHPS tiles 8-15.
DATA winoEven<>+0(SB)/4, $0
DATA winoEven<>+4(SB)/4, $2
DATA winoEven<>+8(SB)/4, $16
DATA winoEven<>+12(SB)/4, $18
DATA winoEven<>+16(SB)/4, $4
DATA winoEven<>+20(SB)/4, $6
DATA winoEven<>+24(SB)/4, $20
DATA winoEven<>+28(SB)/4, $22
DATA winoEven<>+32(SB)/4, $8
DATA winoEven<>+36(SB)/4, $10
DATA winoEven<>+40(SB)/4, $24
DATA winoEven<>+44(SB)/4, $26
DATA winoEven<>+48(SB)/4, $12
DATA winoEven<>+52(SB)/4, $14
DATA winoEven<>+56(SB)/4, $28
DATA winoEven<>+60(SB)/4, $30
GLOBL winoEven<>(SB), RODATA|NOPTR, $64

DATA winoOdd<>+0(SB)/4, $1
DATA winoOdd<>+4(SB)/4, $3
DATA winoOdd<>+8(SB)/4, $17
DATA winoOdd<>+12(SB)/4, $19
DATA winoOdd<>+16(SB)/4, $5
DATA winoOdd<>+20(SB)/4, $7
DATA winoOdd<>+24(SB)/4, $21
DATA winoOdd<>+28(SB)/4, $23
DATA winoOdd<>+32(SB)/4, $9
DATA winoOdd<>+36(SB)/4, $11
DATA winoOdd<>+40(SB)/4, $25
DATA winoOdd<>+44(SB)/4, $27
DATA winoOdd<>+48(SB)/4, $13
DATA winoOdd<>+52(SB)/4, $15
DATA winoOdd<>+56(SB)/4, $29
DATA winoOdd<>+60(SB)/4, $31
GLOBL winoOdd<>(SB), RODATA|NOPTR, $64

// The vectorised exp shared by the sigmoid and tanh kernels: constants from
// vexpConst (activation_amd64.go), each a full ymm at offset 32·k.

#define C_LO ·vexpConst+0(SB)
#define C_LOG2E ·vexpConst+32(SB)
#define C_C1 ·vexpConst+64(SB)
#define C_C2 ·vexpConst+96(SB)
#define C_Q0 ·vexpConst+128(SB)
#define C_Q1 ·vexpConst+160(SB)
#define C_Q2 ·vexpConst+192(SB)
#define C_Q3 ·vexpConst+224(SB)
#define C_Q4 ·vexpConst+256(SB)
#define C_ONE ·vexpConst+288(SB)
#define C_ABS ·vexpConst+320(SB)
#define C_BIAS ·vexpConst+352(SB)
#define C_TANH_THRESHOLD ·vexpConst+384(SB)
#define C_T0 ·vexpConst+416(SB)
#define C_T1 ·vexpConst+448(SB)
#define C_T2 ·vexpConst+480(SB)
#define C_T3 ·vexpConst+512(SB)
#define C_T4 ·vexpConst+544(SB)
#define C_SIGN ·vexpConst+576(SB)
#define C_LO512 ·vexpConst+608(SB)

// VEXP sets T = exp(T) for T <= 0 (or NaN) with AVX2, using N, P, M and L
// as scratch:
//
//	keep := !(t < lo)              // also true for NaN
//	t = max(lo, t)                 // NaN stays NaN
//	n := round(t·log₂e)
//	r := t - n·C1 - n·C2
//	t = (1 + r + r²·Q(r)) · 2ⁿ, or 0 where !keep
#define VEXP(T, N, P, M, L) \
	VMOVUPS      C_LO, L;     \
	VCMPPS       $5, L, T, M; \
	VMAXPS       T, L, T;     \
	VMULPS       C_LOG2E, T, N; \
	VROUNDPS     $0, N, N;    \
	VFNMADD231PS C_C1, N, T;  \
	VFNMADD231PS C_C2, N, T;  \
	VMOVUPS      C_Q0, P;     \
	VFMADD213PS  C_Q1, T, P;  \
	VFMADD213PS  C_Q2, T, P;  \
	VFMADD213PS  C_Q3, T, P;  \
	VFMADD213PS  C_Q4, T, P;  \
	VMULPS       T, T, L;     \
	VFMADD213PS  T, L, P;     \
	VADDPS       C_ONE, P, P; \
	VCVTPS2DQ    N, N;        \
	VPADDD       C_BIAS, N, N; \
	VPSLLD       $23, N, N;   \
	VMULPS       N, P, T;     \
	VANDPS       M, T, T

// The AVX-512 kernels keep every constant in a register, broadcast once.
#define LO512 Z30
#define LOG2E512 Z29
#define C1_512 Z28
#define C2_512 Z27
#define Q0_512 Z26
#define Q1_512 Z25
#define Q2_512 Z24
#define Q3_512 Z23
#define Q4_512 Z22
#define ONE512 Z21
#define SIGN512 Z31

#define LOAD_EXP512_CONSTS \
	VBROADCASTSS C_LO512, LO512;  \
	VBROADCASTSS C_LOG2E, LOG2E512; \
	VBROADCASTSS C_C1, C1_512;    \
	VBROADCASTSS C_C2, C2_512;    \
	VBROADCASTSS C_Q0, Q0_512;    \
	VBROADCASTSS C_Q1, Q1_512;    \
	VBROADCASTSS C_Q2, Q2_512;    \
	VBROADCASTSS C_Q3, Q3_512;    \
	VBROADCASTSS C_Q4, Q4_512;    \
	VBROADCASTSS C_ONE, ONE512;   \
	VBROADCASTSS C_SIGN, SIGN512

// VEXP512 sets T = exp(T) for T <= 0 (or NaN) with AVX-512F, using N, P
// and L as scratch. VSCALEFPS computes P·2ⁿ through the subnormals.
#define VEXP512(T, N, P, L) \
	VMAXPS       T, LO512, T;      \
	VMULPS       LOG2E512, T, N;   \
	VRNDSCALEPS  $0, N, N;         \
	VFNMADD231PS C1_512, N, T;     \
	VFNMADD231PS C2_512, N, T;     \
	VMOVAPS      Q0_512, P;        \
	VFMADD213PS  Q1_512, T, P;     \
	VFMADD213PS  Q2_512, T, P;     \
	VFMADD213PS  Q3_512, T, P;     \
	VFMADD213PS  Q4_512, T, P;     \
	VMULPS       T, T, L;          \
	VFMADD213PS  T, L, P;          \
	VADDPS       ONE512, P, P;     \
	VSCALEFPS    N, P, T

// RECIP512 sets R = 1/D to within an ulp or two: VRCP14PS's 14 bits, then
// one Newton step r += r·(1 - d·r). L is scratch.
#define RECIP512(D, R, L) \
	VRCP14PS     D, R;      \
	VMOVAPS      ONE512, L; \
	VFNMADD231PS R, D, L;   \
	VFMADD231PS  L, R, R

//go:build amd64 && !noasm

package kernel

import "math"

// The activations in AVX2 assembly, 8 lanes at a time, and sigmoid and tanh
// also in AVX-512, 16 at a time; a tail shorter than a vector goes through
// masked loads and stores, so nothing outside the slices is touched. ReLU
// and leaky ReLU stream from memory faster than AVX2 can use, so they have
// no AVX-512 version. Without AVX2 and FMA the plain-Go loops run.

func reluForward(x, y []float32) {
	if hasAVX2FMA {
		reluForwardAVX2(x, y)
		return
	}
	reluForwardGo(x, y)
}

func reluBackward(x, dy, dx []float32) {
	if hasAVX2FMA {
		reluBackwardAVX2(x, dy, dx)
		return
	}
	reluBackwardGo(x, dy, dx)
}

func leakyReLUForward(x, y []float32, a float32) {
	if hasAVX2FMA {
		leakyReLUForwardAVX2(x, y, a)
		return
	}
	leakyReLUForwardGo(x, y, a)
}

func leakyReLUBackward(x, dy, dx []float32, a float32) {
	if hasAVX2FMA {
		leakyReLUBackwardAVX2(x, dy, dx, a)
		return
	}
	leakyReLUBackwardGo(x, dy, dx, a)
}

func sigmoidForward(x, y []float32) {
	if hasAVX512 {
		sigmoidForwardAVX512(x, y)
		return
	}
	if hasAVX2FMA {
		sigmoidForwardAVX2(x, y)
		return
	}
	sigmoidForwardGo(x, y)
}

func tanhForward(x, y []float32) {
	if hasAVX512 {
		tanhForwardAVX512(x, y)
		return
	}
	if hasAVX2FMA {
		tanhForwardAVX2(x, y)
		return
	}
	tanhForwardGo(x, y)
}

func sigmoidBackward(y, dy, dx []float32) {
	if hasAVX2FMA {
		sigmoidBackwardAVX2(y, dy, dx)
		return
	}
	sigmoidBackwardGo(y, dy, dx)
}

func tanhBackward(y, dy, dx []float32) {
	if hasAVX2FMA {
		tanhBackwardAVX2(y, dy, dx)
		return
	}
	tanhBackwardGo(y, dy, dx)
}

// reluForwardAVX2 computes, with y at least as long as x,
//
//	for i, v := range x {
//		y[i] = max(v, 0) // NaN propagates; -0 may stay -0
//	}
//
//go:noescape
func reluForwardAVX2(x, y []float32)

// reluBackwardAVX2 computes, with dy and dx at least as long as x,
//
//	for i, v := range x {
//		if v > 0 {
//			dx[i] = dy[i]
//		} else {
//			dx[i] = 0
//		}
//	}
//
//go:noescape
func reluBackwardAVX2(x, dy, dx []float32)

// leakyReLUForwardAVX2 computes, with y at least as long as x,
//
//	for i, v := range x {
//		if v > 0 {
//			y[i] = v
//		} else {
//			y[i] = a * v
//		}
//	}
//
//go:noescape
func leakyReLUForwardAVX2(x, y []float32, a float32)

// leakyReLUBackwardAVX2 computes, with dy and dx at least as long as x,
//
//	for i, v := range x {
//		if v > 0 {
//			dx[i] = dy[i]
//		} else {
//			dx[i] = a * dy[i]
//		}
//	}
//
//go:noescape
func leakyReLUBackwardAVX2(x, dy, dx []float32, a float32)

// sigmoidBackwardAVX2 computes, with dy and dx at least as long as y, and
// the operations in the same order as the Go loop so the results match,
//
//	for i, v := range y {
//		dx[i] = dy[i] * v * (1 - v)
//	}
//
//go:noescape
func sigmoidBackwardAVX2(y, dy, dx []float32)

// tanhBackwardAVX2 computes, with dy and dx at least as long as y, without
// fusing the multiply and subtract, as the Go loop,
//
//	for i, v := range y {
//		dx[i] = dy[i] * (1 - v*v)
//	}
//
//go:noescape
func tanhBackwardAVX2(y, dy, dx []float32)

// sigmoidForwardAVX2 computes, with y at least as long as x,
//
//	for i, v := range x {
//		e := exp(-|v|)           // 0 when -|v| < -87.3365, below the normal range
//		if v >= 0 {              // by the sign bit: -0 takes this branch's twin, which is equal
//			y[i] = 1 / (1 + e)
//		} else {
//			y[i] = e * (1 / (1 + e))
//		}
//	}
//
// with exp the vectorised expf described at vexpConst.
//
//go:noescape
func sigmoidForwardAVX2(x, y []float32)

// tanhForwardAVX2 computes, with y at least as long as x,
//
//	for i, v := range x {
//		a := |v|
//		var t float32
//		if a < 0.625 {
//			z := a * a
//			t = a + a*z*((((t0*z+t1)*z+t2)*z+t3)*z+t4) // Cephes tanhf
//		} else {
//			e := exp(-2 * a)
//			t = (1 - e) / (1 + e)
//		}
//		y[i] = copysign(t, v)
//	}
//
// with t0…t4 and exp as in vexpConst.
//
//go:noescape
func tanhForwardAVX2(x, y []float32)

// sigmoidForwardAVX512 is sigmoidForwardAVX2 with AVX-512F, 16 lanes at a
// time. Its exp scales into the subnormals (see vexpConst), and 1/(1+e) is
// VRCP14PS refined by a Newton step.
//
//go:noescape
func sigmoidForwardAVX512(x, y []float32)

// tanhForwardAVX512 is tanhForwardAVX2 with AVX-512F, 16 lanes at a time,
// with the same exp and reciprocal as sigmoidForwardAVX512.
//
//go:noescape
func tanhForwardAVX512(x, y []float32)

// tailMask holds eight -1s then eight 0s: the eight int32 at index 8-r are a
// mask whose first r lanes are set, for the masked loads and stores of a
// tail of r < 8 elements.
var tailMask = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// vexpConst holds the constants of the vectorised exp, sigmoid and tanh,
// each repeated in the 8 lanes of a ymm register so the AVX2 code can use
// them as memory operands (index k is at byte offset 32·k); the AVX-512 code
// broadcasts lane 0. activation_exp_amd64.h names the offsets.
//
// exp(t) for t <= 0 follows Cephes expf (Moshier, Cephes Math Library):
// n = round(t·log₂e), r = t - n·ln2 with ln2 split into C1 + C2 so that n·C1
// is exact, and exp(t) = 2ⁿ·(1 + r + r²·Q(r)). Q is a degree-4 fit to
// (eʳ - 1 - r)/r² on [-ln2/2, ln2/2] at Chebyshev nodes (mpmath.chebyfit), of
// relative error 1e-8, below float32's rounding. AVX2 builds 2ⁿ in the
// exponent bits, so it clamps t at ln(2⁻¹²⁶) to keep 2ⁿ normal and returns 0
// below that; AVX-512's VSCALEFPS scales into the subnormals itself, so it
// clamps only at -104, where exp underflows to 0 anyway. NaN propagates.
var vexpConst = func() (c [20][8]uint32) {
	vals := [...]float32{
		0:  -87.33654, // lo: ln(2⁻¹²⁶)
		1:  math.Log2E,
		2:  0.693359375,          // C1
		3:  -2.12194440e-4,       // C2: ln 2 = C1 + C2 (negative: Cephes's split)
		4:  0.001392617611993558, // Q, highest degree first
		5:  0.008363173074513711,
		6:  0.041666554662050534,
		7:  0.1666657702559799,
		8:  0.5,
		9:  1,
		12: 0.625, // tanh: below it, Cephes's odd polynomial T
		13: -5.70498872745e-3,
		14: 2.06390887954e-2,
		15: -5.37397155531e-2,
		16: 1.33314422036e-1,
		17: -3.33332819422e-1,
		19: -104, // lo for AVX-512: exp(-104) < 2⁻¹⁵⁰ rounds to 0
	}
	for k, v := range vals {
		for j := range c[k] {
			c[k][j] = math.Float32bits(v)
		}
	}
	for j := 0; j < 8; j++ {
		c[10][j] = 0x7fffffff // |x| mask
		c[11][j] = 127        // exponent bias, as int32
		c[18][j] = 0x80000000 // sign mask
	}
	return c
}()

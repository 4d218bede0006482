package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// guard is the number of sentinel values put before and after each output,
// to catch a kernel writing outside its slice.
const guard = 16

var sentinel = float32(math.Float32frombits(0x7fc0dead)) // a NaN no kernel makes

// guarded returns a buffer of n values framed by sentinels, and the n-value
// window into it at alignment offset off (in float32s).
func guarded(n, off int) (buf, win []float32) {
	buf = make([]float32, guard+off+n+guard)
	for i := range buf {
		buf[i] = sentinel
	}
	return buf, buf[guard+off : guard+off+n]
}

func checkGuards(t *testing.T, name string, buf []float32, off, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < guard+off || i >= guard+off+n) && math.Float32bits(v) != math.Float32bits(sentinel) {
			t.Fatalf("%s: n=%d off=%d: wrote outside the slice at %d", name, n, off, i-guard-off)
		}
	}
}

// sameFloat reports whether a and b are equal, NaN matching NaN and -0
// matching 0.
func sameFloat(a, b float32) bool { return a == b || a != a && b != b }

// activationInputs returns n values mixing ordinary numbers, both signs of
// zero, infinities and NaN.
func activationInputs(rng *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40, -1e-40}
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = special[rng.IntN(len(special))]
		} else {
			x[i] = float32(rng.NormFloat64() * 4)
		}
	}
	return x
}

// lengths are the slice lengths the elementwise tests walk: every tail of
// the 8-, 16- and 32-wide loops, and a long one.
func lengths() []int {
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return append(ns, 1000, 4099)
}

// TestActivationKernels compares each vectorised activation with its
// plain-Go loop for every length up to 70, at every alignment, with guard
// bands around the output, under each CPU-feature level.
func TestActivationKernels(t *testing.T) {
	type kernel struct {
		name string
		fast func(x, dy, out []float32) // dy is ignored by forward kernels
		ref  func(x, dy, out []float32)
	}
	kernels := []kernel{
		{"relu", func(x, _, y []float32) { ReLUForward(x, y) }, func(x, _, y []float32) { reluForwardGo(x, y) }},
		{"relu backward", ReLUBackward, reluBackwardGo},
		{"leakyrelu", func(x, _, y []float32) { LeakyReLUForward(x, y, 0.1) }, func(x, _, y []float32) { leakyReLUForwardGo(x, y, 0.1) }},
		{"leakyrelu backward", func(x, dy, dx []float32) { LeakyReLUBackward(x, dy, dx, 0.1) }, func(x, dy, dx []float32) { leakyReLUBackwardGo(x, dy, dx, 0.1) }},
		{"sigmoid backward", SigmoidBackward, sigmoidBackwardGo},
		{"tanh backward", TanhBackward, tanhBackwardGo},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, level := range featureLevels() {
		withFeatures(level.avx512, level.avx2fma, func() {
			for _, k := range kernels {
				for _, n := range lengths() {
					for off := 0; off < 8; off++ {
						x, dy := activationInputs(rng, n), activationInputs(rng, n)
						want := make([]float32, n)
						k.ref(x, dy, want)
						buf, got := guarded(n, off)
						k.fast(x, dy, got)
						name := fmt.Sprintf("%s/%s", level.name, k.name)
						checkGuards(t, name, buf, off, n)
						for i := range want {
							// Within an ulp: a build for GOAMD64=v3 may fuse the
							// Go loop's multiply and subtract, the assembly never does.
							if d := math.Abs(float64(got[i] - want[i])); !sameFloat(got[i], want[i]) && !(d <= 1.2e-7*math.Abs(float64(want[i]))) {
								t.Fatalf("%s: n=%d off=%d: [%d] f(%g) = %g, want %g", name, n, off, i, x[i], got[i], want[i])
							}
						}
					}
				}
			}
		})
	}
}

// sigmoid64 and tanh64 are the float64 references the fast kernels are held to.
func sigmoid64(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }
func tanh64(x float32) float64    { return math.Tanh(float64(x)) }

// smallestNormal is 2⁻¹²⁶: below it float32 loses precision, so results
// there are checked to an absolute error of smallestNormal instead.
const smallestNormal = 0x1p-126

// checkTranscendental checks got against ref(x) to a relative error of 1e-6,
// NaN for NaN, and exact ±1, 0 at the ends.
func checkTranscendental(t *testing.T, name string, x, got []float32, ref func(float32) float64) {
	t.Helper()
	for i, v := range x {
		want := ref(v)
		g := float64(got[i])
		switch {
		case math.IsNaN(want):
			if !math.IsNaN(g) {
				t.Fatalf("%s(%g) = %g, want NaN", name, v, g)
			}
		case math.Abs(want) < smallestNormal:
			if math.Abs(g-want) > smallestNormal {
				t.Fatalf("%s(%g) = %g, want %g", name, v, g, want)
			}
		case math.Abs(g-want) > 1e-6*math.Abs(want):
			t.Fatalf("%s(%g) = %g, want %g (relative error %.3g)", name, v, g, want, math.Abs(g-want)/math.Abs(want))
		}
	}
}

// transcendentalInputs sweeps [-120, 120] densely, small magnitudes on a log
// scale, both sides of tanh's 0.625 switch and of exp's underflow, and the
// special values.
func transcendentalInputs() []float32 {
	var x []float32
	for i := -1 << 18; i <= 1<<18; i++ {
		x = append(x, float32(i)*(120.0/(1<<18)))
	}
	for e := -45.0; e <= 2; e += 0.01 {
		v := float32(math.Pow(10, e))
		x = append(x, v, -v)
	}
	for _, c := range []float32{0.625, 87.33654, 88.72284, 103.97208, 44} {
		for d := -20; d <= 20; d++ {
			v := math.Float32frombits(uint32(int(math.Float32bits(c)) + d))
			x = append(x, v, -v)
		}
	}
	return append(x, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32)
}

// TestSigmoidTanhAccuracy holds the vectorised sigmoid and tanh to a
// relative error of 1e-6 against float64 math over a dense sweep, under each
// CPU-feature level.
func TestSigmoidTanhAccuracy(t *testing.T) {
	x := transcendentalInputs()
	y := make([]float32, len(x))
	for _, level := range featureLevels() {
		withFeatures(level.avx512, level.avx2fma, func() {
			SigmoidForward(x, y)
			checkTranscendental(t, level.name+"/sigmoid", x, y, sigmoid64)
			TanhForward(x, y)
			checkTranscendental(t, level.name+"/tanh", x, y, tanh64)
			if tanh := y[len(y)-7]; tanh != 1 { // +Inf
				t.Errorf("%s: tanh(+Inf) = %g, want 1", level.name, tanh)
			}
		})
	}
}

// TestSigmoidTanhTails checks the masked tails and guard bands of sigmoid and tanh.
func TestSigmoidTanhTails(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, level := range featureLevels() {
		withFeatures(level.avx512, level.avx2fma, func() {
			for _, n := range lengths() {
				for off := 0; off < 8; off++ {
					x := activationInputs(rng, n)
					buf, got := guarded(n, off)
					SigmoidForward(x, got)
					checkGuards(t, level.name+"/sigmoid", buf, off, n)
					checkTranscendental(t, level.name+"/sigmoid", x, got, sigmoid64)
					buf, got = guarded(n, off)
					TanhForward(x, got)
					checkGuards(t, level.name+"/tanh", buf, off, n)
					checkTranscendental(t, level.name+"/tanh", x, got, tanh64)
				}
			}
		})
	}
}

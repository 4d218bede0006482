package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// maxPoolBackwardRef is MaxPoolBackward written from its definition.
func maxPoolBackwardRef(g PoolGeom, dy []float32, arg []int32, dx []float32) {
	clear(dx)
	for o, a := range arg {
		if a >= 0 {
			c := o / (g.OH * g.OW)
			dx[c*g.H*g.W+int(a)] += dy[o]
		}
	}
}

// TestMaxPool2x2 compares the 2×2 stride-2 fast path with the general loops
// on images of odd and even sizes, widths that hit every tail of the vector
// loop, with ties (values from a small set) and NaNs, under each CPU-feature
// level; and the backward pass with its definition, dx starting as garbage.
func TestMaxPool2x2(t *testing.T) {
	for _, level := range featureLevels() {
		withFeatures(level.avx512, level.avx2fma, func() { testMaxPool2x2(t) })
	}
}

// poolTestWidths are 2-40, every tail of the 8- and 16-window loops with
// none and one whole group before it, and widths of two and more groups.
var poolTestWidths = append(seq(2, 40), 63, 64, 65, 66, 94, 97)

func seq(lo, hi int) []int {
	s := make([]int, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		s = append(s, i)
	}
	return s
}

func testMaxPool2x2(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []int{1, 3} {
		for h := 2; h <= 5; h++ {
			for _, w := range poolTestWidths {
				g := PoolGeom{C: c, H: h, W: w, KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1, OH: h / 2, OW: w / 2}
				if !g.is2x2() {
					t.Fatalf("%+v does not take the fast path", g)
				}
				name := fmt.Sprintf("C=%d H=%d W=%d", c, h, w)
				x := make([]float32, c*h*w)
				for i := range x {
					switch rng.IntN(20) {
					case 0:
						x[i] = float32(math.NaN())
					default:
						x[i] = float32(rng.IntN(4))
					}
				}
				n := c * g.OH * g.OW
				y, wantY := make([]float32, n), make([]float32, n)
				arg, wantArg := make([]int32, n), make([]int32, n)
				MaxPoolForward(g, x, y, arg)
				maxPoolGo(g, x, wantY, wantArg)
				for i := range y {
					if !sameFloat(y[i], wantY[i]) || arg[i] != wantArg[i] {
						t.Fatalf("%s: output %d = %g at %d, want %g at %d", name, i, y[i], arg[i], wantY[i], wantArg[i])
					}
				}
				dy := make([]float32, n)
				for i := range dy {
					dy[i] = rng.Float32()
				}
				dx, wantDx := make([]float32, len(x)), make([]float32, len(x))
				for i := range dx {
					dx[i], wantDx[i] = 7, -7
				}
				MaxPoolBackward(g, dy, arg, dx)
				maxPoolBackwardRef(g, dy, wantArg, wantDx)
				for i := range dx {
					if dx[i] != wantDx[i] {
						t.Fatalf("%s: dx[%d] = %g, want %g", name, i, dx[i], wantDx[i])
					}
				}
			}
		}
	}
}

// TestMaxPool2x2BackwardEdges checks the 2×2 backward pass bit for bit
// against its definition under each CPU-feature level, on images whose
// windows tile them: with output gradients of -0, NaN and ±Inf, and with
// an arg that MaxPoolForward did not write, one index pointing outside its
// window, which the vector pass must hand back to the general loop.
func TestMaxPool2x2BackwardEdges(t *testing.T) {
	for _, level := range featureLevels() {
		withFeatures(level.avx512, level.avx2fma, func() { testMaxPool2x2BackwardEdges(t) })
	}
}

func testMaxPool2x2BackwardEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	special := []float32{float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, w := range []int{2, 10, 28, 32, 34, 66} {
		g := PoolGeom{C: 2, H: 4, W: w, KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1, OH: 2, OW: w / 2}
		x := make([]float32, g.C*g.H*g.W)
		for i := range x {
			x[i] = rng.Float32()
		}
		n := g.C * g.OH * g.OW
		y, arg, dy := make([]float32, n), make([]int32, n), make([]float32, n)
		MaxPoolForward(g, x, y, arg)
		for i := range dy {
			dy[i] = rng.Float32()
			if rng.IntN(3) == 0 {
				dy[i] = special[rng.IntN(len(special))]
			}
		}
		for _, stray := range []int{-1, 0, n - 1} {
			name := fmt.Sprintf("W=%d stray=%d", w, stray)
			a := append([]int32(nil), arg...)
			if stray >= 0 {
				a[stray] = (a[stray] + 2) % int32(g.H*g.W) // a tap of the next window
			}
			dx, want := make([]float32, len(x)), make([]float32, len(x))
			for i := range dx {
				dx[i] = 7
			}
			MaxPoolBackward(g, dy, a, dx)
			maxPoolBackwardRef(g, dy, a, want)
			for i := range dx {
				if math.Float32bits(dx[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: dx[%d] = %g (%#x), want %g (%#x)", name, i, dx[i], math.Float32bits(dx[i]), want[i], math.Float32bits(want[i]))
				}
			}
		}
	}
}

// BenchmarkMaxPool2x2 pools LeNet's first feature maps, 6×28×28, for a
// batch of 64, with the fast path and the general loops.
func BenchmarkMaxPool2x2(b *testing.B) {
	g := PoolGeom{C: 6, H: 28, W: 28, KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1, OH: 14, OW: 14}
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float32, 64*g.C*g.H*g.W)
	for i := range x {
		x[i] = rng.Float32()
	}
	n := g.C * g.OH * g.OW
	y, arg := make([]float32, 64*n), make([]int32, 64*n)
	dx := make([]float32, len(x))
	in := g.C * g.H * g.W
	for s := 0; s < 64; s++ { // the argmax the backward benchmarks route by
		maxPoolGo(g, x[s*in:(s+1)*in], y[s*n:(s+1)*n], arg[s*n:(s+1)*n])
	}
	for _, p := range []struct {
		name string
		fwd  func(PoolGeom, []float32, []float32, []int32)
		bwd  func(PoolGeom, []float32, []int32, []float32)
	}{{"fast", MaxPoolForward, MaxPoolBackward}, {"go", maxPoolGo, maxPoolBackwardRef}} {
		b.Run(p.name+"/forward", func(b *testing.B) {
			b.SetBytes(int64(4 * (len(x) + 2*len(y))))
			for range b.N {
				for s := 0; s < 64; s++ {
					p.fwd(g, x[s*in:(s+1)*in], y[s*n:(s+1)*n], arg[s*n:(s+1)*n])
				}
			}
		})
		b.Run(p.name+"/backward", func(b *testing.B) {
			b.SetBytes(int64(4 * (len(x) + 2*len(y))))
			for range b.N {
				for s := 0; s < 64; s++ {
					p.bwd(g, y[s*n:(s+1)*n], arg[s*n:(s+1)*n], dx[s*in:(s+1)*in])
				}
			}
		})
	}
}

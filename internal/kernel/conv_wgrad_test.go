package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvWgrad checks ConvWgradAccumulate and ConvWgradReduce against a
// float64 sum over every row and tap count that leaves a tail of the 6×4
// block (rows past the last whole block go in pairs or one shifted block), several examples with strides, one run of pixels and rows of them
// with gaps between, and sums carried across two calls, on every CPU
// feature level. a holds exactly ConvWgradRowsAlloc rows, so a block that
// read past them would fail the bounds check.
func TestConvWgrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			// 7, 8, 13 and 32 end in a pair (7 and 13 repeat a row),
			// 9-11 and 17 in a block of 6 that repeats rows.
			for _, rows := range []int{1, 5, 6, 7, 8, 9, 10, 11, 13, 17, 32} {
				for _, taps := range []int{1, 3, 4, 5, 9} {
					for _, ne := range []int{1, 3} {
						for _, px := range []ConvWgradPixels{
							ConvWgradRun(16), ConvWgradRun(48),
							{Width: 16, Height: 3, AStride: 16, BStride: 18},
							{Width: 32, Height: 2, AStride: 37, BStride: 34},
						} {
							name := fmt.Sprintf("%s/rows=%d/taps=%d/ne=%d/px=%+v", l.name, rows, taps, ne, px)
							checkConvWgrad(t, rng, name, rows, taps, ne, px)
						}
					}
				}
			}
		})
	}
}

func checkConvWgrad(t *testing.T, rng *rand.Rand, name string, rows, taps, ne int, px ConvWgradPixels) {
	t.Helper()
	aspan, bspan := px.span()
	astr := aspan + 16
	lda := ne*astr + 3
	bstr := bspan + 37
	off := make([]int32, taps)
	for i := range off {
		off[i] = int32(rng.IntN(40))
	}
	a := randSlice(rng, (ConvWgradRowsAlloc(rows)-1)*lda+(ne-1)*astr+aspan)
	b := randSlice(rng, (ne-1)*bstr+40+bspan)
	const ldd = 11
	dst := randSlice(rng, rows*ldd)
	want := make([]float64, len(dst))
	for i := range dst {
		want[i] = float64(dst[i])
	}
	acc := make([]float32, ConvWgradAccLen(rows, taps))
	// Two calls, each over ne examples, before one reduction.
	for range 2 {
		ConvWgradAccumulate(rows, a, lda, astr, b, bstr, off, px, ne, acc)
		for r := 0; r < rows; r++ {
			for tp := 0; tp < taps; tp++ {
				for e := 0; e < ne; e++ {
					for y := 0; y < px.Height; y++ {
						for i := 0; i < px.Width; i++ {
							p := float64(a[r*lda+e*astr+y*px.AStride+i]) * float64(b[e*bstr+int(off[tp])+y*px.BStride+i])
							want[r*ldd+tp] += p
						}
					}
				}
			}
		}
	}
	ConvWgradReduce(rows, taps, acc, dst, ldd)
	for r := 0; r < rows; r++ {
		for tp := 0; tp < taps; tp++ {
			i := r*ldd + tp
			if d := math.Abs(float64(dst[i]) - want[i]); d > 1e-5*(1+math.Abs(want[i])) {
				t.Fatalf("%s: dst[%d][%d] = %v, want %v", name, r, tp, dst[i], want[i])
			}
		}
	}
	for i := range dst {
		if i%ldd >= taps && float64(dst[i]) != want[i] {
			t.Fatalf("%s: dst[%d] outside the taps changed", name, i)
		}
	}
	for i, v := range acc {
		if v != 0 {
			t.Fatalf("%s: acc[%d] = %v after the reduction, want 0", name, i, v)
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	return x
}

// BenchmarkConvWgrad times ConvWgradAccumulate on LeNet-5's first layer
// (6 filters, 25 taps over a 28-wide image, 24 output rows: n = 24·28
// rounded up to 672) and its second (16 filters, 150 taps, 8 rows of 12),
// in GFLOP/s of the useful products (the valid pixels only).
func BenchmarkConvWgrad(b *testing.B) {
	for _, s := range []struct {
		name                 string
		rows, c, h, w, k, ne int
	}{{"lenet1", 6, 1, 28, 28, 5, 1}, {"lenet2", 16, 6, 12, 12, 5, 8}} {
		g := ConvGeom{C: s.c, H: s.h, W: s.w, KH: s.k, KW: s.k, SH: 1, SW: 1, DH: 1, DW: 1}
		off := ConvOffsets(g)
		oh, ow := g.OutH(), g.OutW()
		n := (oh*s.w + 15) / 16 * 16
		bstr := s.c * s.h * s.w
		rng := rand.New(rand.NewPCG(1, 2))
		a := randSlice(rng, ConvWgradRowsAlloc(s.rows)*s.ne*n)
		x := randSlice(rng, s.ne*bstr+64)
		acc := make([]float32, ConvWgradAccLen(s.rows, len(off)))
		flop := 2 * float64(s.rows*len(off)*oh*ow*s.ne)
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				ConvWgradAccumulate(s.rows, a, s.ne*n, n, x, bstr, off, ConvWgradRun(n), s.ne, acc)
			}
			b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvGemmWide checks ConvGemmWide against a float64 sum for row counts
// around the kernel's 8-row tiles, column counts around its 16- and 32-wide
// halves, offsets from ConvOffsets with and without an extra row (the plane
// of ones of a bias), beta 0 and not, and that nothing outside C's m × n
// block is written, on every CPU feature level.
func TestConvGemmWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	geoms := []ConvGeom{
		{C: 1, H: 28, W: 28, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1},
		{C: 3, H: 9, W: 14, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 2, H: 7, W: 9, KH: 2, KW: 3, SH: 1, SW: 1, PadL: 2, DH: 2, DW: 2},
	}
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, g := range geoms {
				for _, bias := range []bool{false, true} {
					hp, wp := g.Padded()
					off := ConvOffsets(g)
					if bias {
						off = append(off, int32(g.C*hp*wp))
					}
					xp := randSlice(rng, (g.C+1)*hp*wp+g.DW*(g.KW-1))
					k := len(off)
					for _, m := range []int{1, 5, 8, 9, 17} {
						w := randSlice(rng, m*(k+2))
						for _, q0 := range []int{0, 3, 17} {
							for _, n := range []int{1, 15, 16, 17, 31, 32, 33, 70, g.OutH()*wp - q0} {
								if n <= 0 || q0+n > g.OutH()*wp {
									continue
								}
								for _, beta := range []float32{0, 0.5} {
									name := fmt.Sprintf("%s/%+v/bias=%v/m=%d/q0=%d/n=%d/beta=%v", l.name, g, bias, m, q0, n, beta)
									checkConvGemmWide(t, rng, name, m, w, k+2, xp, off, q0, n, beta)
								}
							}
						}
					}
				}
			}
		})
	}
}

func checkConvGemmWide(t *testing.T, rng *rand.Rand, name string, m int, w []float32, ldw int, xp []float32, off []int32, q0, n int, beta float32) {
	t.Helper()
	const guard = 5
	ldc := n + guard
	c := randSlice(rng, m*ldc)
	c0 := append([]float32(nil), c...)
	ConvGemmWide(m, w, ldw, xp, off, q0, n, beta, c, ldc)
	for i := 0; i < m; i++ {
		for q := 0; q < ldc; q++ {
			got := c[i*ldc+q]
			if q >= n {
				if got != c0[i*ldc+q] {
					t.Fatalf("%s: C[%d][%d] past n written", name, i, q)
				}
				continue
			}
			want, mag := float64(beta)*float64(c0[i*ldc+q]), math.Abs(float64(beta)*float64(c0[i*ldc+q]))
			for p, o := range off {
				v := float64(w[i*ldw+p]) * float64(xp[int(o)+q0+q])
				want += v
				mag += math.Abs(v)
			}
			if math.Abs(float64(got)-want) > 1e-6*mag+1e-7 {
				t.Fatalf("%s: C[%d][%d] = %v, want %v", name, i, q, got, want)
			}
		}
	}
}

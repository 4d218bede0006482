package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// convGemmGeoms are stride-1 geometries whose output widths put runs of
// pixels at every lane of a 16- and 32-wide panel, with padding, dilation
// and non-square kernels, and outputs whose pixel count leaves every tail
// (full panels, a narrow one, a few columns).
func convGemmGeoms() []ConvGeom {
	gs := stride1Geoms()
	for _, hw := range [][2]int{{1, 1}, {3, 40}, {6, 14}, {5, 16}, {4, 17}, {2, 33}, {9, 8}, {2, 64}, {6, 32}, {9, 48}} {
		for _, k := range [][2]int{{1, 1}, {3, 3}, {2, 1}} {
			for _, pad := range []int{0, 1} {
				g := ConvGeom{C: 2, H: hw[0], W: hw[1], KH: k[0], KW: k[1], SH: 1, SW: 1,
					PadT: pad, PadL: pad, PadB: pad, PadR: pad, DH: 1, DW: 1}
				if g.OutH() > 0 && g.OutW() > 0 {
					gs = append(gs, g)
				}
			}
		}
	}
	// 72 rows: ConvIm2col gathers a few last columns 64 rows at a time.
	gs = append(gs, ConvGeom{C: 8, H: 5, W: 7, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1})
	return gs
}

// paddedImage returns a random image for g and its zero-padded copy.
func paddedImage(rng *rand.Rand, g ConvGeom) (x, xp []float32) {
	hp, wp := g.Padded()
	x = make([]float32, g.C*g.H*g.W)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	xp = make([]float32, g.C*hp*wp)
	PadImage(g, x, xp)
	return x, xp
}

// TestConvIm2col checks ConvIm2col against Im2col on every column range
// that starts and ends at a different lane, with guard values around each
// row of the destination.
func TestConvIm2col(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, g := range convGemmGeoms() {
				x, xp := paddedImage(rng, g)
				off := ConvOffsets(g)
				kk, npix := g.ColRows(), g.OutH()*g.OutW()
				want := make([]float32, kk*npix)
				Im2col(g, x, want)
				for _, j0 := range []int{0, 1, 5, 17, 33} {
					for _, n := range []int{npix - j0, 1, 16, 31, 32, 49, 70} {
						if j0 >= npix || n <= 0 || j0+n > npix {
							continue
						}
						ld := n + 7
						col := make([]float32, kk*ld)
						for i := range col {
							col[i] = float32(math.NaN())
						}
						ConvIm2col(g, xp, off, j0, n, col, ld)
						for r := 0; r < kk; r++ {
							for j := 0; j < ld; j++ {
								got := col[r*ld+j]
								if j >= n {
									if got == got {
										t.Fatalf("%s %+v j0=%d n=%d: wrote row %d column %d past n", l.name, g, j0, n, r, j)
									}
									continue
								}
								if w := want[r*npix+j0+j]; got != w {
									t.Fatalf("%s %+v j0=%d n=%d: [%d][%d] = %g, want %g", l.name, g, j0, n, r, j, got, w)
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestConvGemm checks ConvGemm against Im2col and the reference product for
// row counts around the micro-kernels' tiles, overwriting and accumulating,
// with C inside a wider matrix so stray writes show.
func TestConvGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, g := range convGemmGeoms() {
				x, xp := paddedImage(rng, g)
				off := ConvOffsets(g)
				kk, npix := g.ColRows(), g.OutH()*g.OutW()
				col := make([]float32, kk*npix)
				Im2col(g, x, col)
				for _, m := range []int{1, 3, 4, 7, 9, 17} {
					for _, beta := range []float32{0, 1} {
						ldw, ldc := kk+2, npix+5
						w := make([]float32, m*ldw)
						c := make([]float32, m*ldc)
						for i := range w {
							w[i] = 2*rng.Float32() - 1
						}
						for i := range c {
							c[i] = 2*rng.Float32() - 1
						}
						want := append([]float32(nil), c...)
						slowSgemm(false, false, m, npix, kk, 1, w, ldw, col, npix, beta, want, ldc)
						ConvGemm(g, m, w, ldw, xp, off, beta, c, ldc)
						name := fmt.Sprintf("%s %+v m=%d beta=%g", l.name, g, m, beta)
						for i := 0; i < m; i++ {
							for j := 0; j < ldc; j++ {
								got, wv := c[i*ldc+j], want[i*ldc+j]
								if j >= npix {
									if got != wv {
										t.Fatalf("%s: wrote C[%d][%d] past n", name, i, j)
									}
									continue
								}
								if d := math.Abs(float64(got - wv)); d > 1e-4*(1+math.Abs(float64(wv))) {
									t.Fatalf("%s: C[%d][%d] = %g, want %g", name, i, j, got, wv)
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestConvGemmExtraRow checks ConvGemm with one more offset than
// ConvOffsets, pointing at a plane of ones after the image: the last
// column of W is then added to every output, as a bias.
func TestConvGemmExtraRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, g := range convGemmGeoms() {
				x, xp := paddedImage(rng, g)
				hp, wp := g.Padded()
				for range hp * wp {
					xp = append(xp, 1)
				}
				off := append(ConvOffsets(g), int32(g.C*hp*wp))
				kk, npix := g.ColRows(), g.OutH()*g.OutW()
				col := make([]float32, (kk+1)*npix)
				Im2col(g, x, col)
				for j := range npix {
					col[kk*npix+j] = 1
				}
				m := 9
				w := make([]float32, m*(kk+1))
				for i := range w {
					w[i] = 2*rng.Float32() - 1
				}
				c := make([]float32, m*npix)
				want := make([]float32, m*npix)
				slowSgemm(false, false, m, npix, kk+1, 1, w, kk+1, col, npix, 0, want, npix)
				ConvGemm(g, m, w, kk+1, xp, off, 0, c, npix)
				for i, wv := range want {
					if d := math.Abs(float64(c[i] - wv)); d > 1e-4*(1+math.Abs(float64(wv))) {
						t.Fatalf("%s %+v: C[%d] = %g, want %g", l.name, g, i, c[i], wv)
					}
				}
			}
		})
	}
}

// TestConvGemmCols checks that ConvGemmCols on column ranges that start
// and end anywhere gives the columns of ConvGemm.
func TestConvGemmCols(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, g := range convGemmGeoms() {
		_, xp := paddedImage(rng, g)
		off := ConvOffsets(g)
		kk, npix := g.ColRows(), g.OutH()*g.OutW()
		for _, m := range []int{3, 9} {
			w := make([]float32, m*kk)
			for i := range w {
				w[i] = 2*rng.Float32() - 1
			}
			want := make([]float32, m*npix)
			ConvGemm(g, m, w, kk, xp, off, 0, want, npix)
			for _, j0 := range []int{0, 1, 16, 17, 40, 64} {
				for _, n := range []int{1, 31, 33, 65, npix} {
					n = min(n, npix-j0)
					if n <= 0 {
						continue
					}
					c := make([]float32, m*n)
					ConvGemmCols(g, m, w, kk, xp, off, j0, n, 0, c, n)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							if c[i*n+j] != want[i*npix+j0+j] {
								t.Fatalf("%+v m=%d j0=%d n=%d: C[%d][%d] = %g, want %g", g, m, j0, n, i, j, c[i*n+j], want[i*npix+j0+j])
							}
						}
					}
				}
			}
		}
	}
}

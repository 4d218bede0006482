package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// stride1Geoms are stride-1 convolution geometries with every mix of
// padding, dilation and kernel shape the shifted path must handle.
func stride1Geoms() []ConvGeom {
	var gs []ConvGeom
	for _, c := range []int{1, 3} {
		for _, k := range [][2]int{{1, 1}, {3, 3}, {5, 5}, {2, 3}} {
			for _, pad := range [][4]int{{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 0, 1, 3}} {
				for _, d := range []int{1, 2} {
					g := ConvGeom{C: c, H: 9, W: 7, KH: k[0], KW: k[1], SH: 1, SW: 1,
						PadT: pad[0], PadL: pad[1], PadB: pad[2], PadR: pad[3], DH: d, DW: d}
					if g.OutH() > 0 && g.OutW() > 0 {
						gs = append(gs, g)
					}
				}
			}
		}
	}
	return gs
}

// TestIm2colShifted checks the shifted column matrix against Im2col on the
// columns that belong to outputs, and Col2imShifted against Col2im.
func TestIm2colShifted(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, g := range stride1Geoms() {
		name := fmt.Sprintf("%+v", g)
		hp, wp := g.Padded()
		oh, ow := g.OutH(), g.OutW()
		ns, kk := g.ShiftedCols(), g.ColRows()
		ld := ns + 3
		x := make([]float32, g.C*g.H*g.W)
		for i := range x {
			x[i] = rng.Float32()
		}
		want := make([]float32, kk*oh*ow)
		Im2col(g, x, want)
		xp := make([]float32, g.C*hp*wp)
		PadImage(g, x, xp)
		col := make([]float32, kk*ld)
		Im2colShifted(g, xp, col, ld)
		for r := 0; r < kk; r++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					if got, w := col[r*ld+oy*wp+ox], want[(r*oh+oy)*ow+ox]; got != w {
						t.Fatalf("%s: row %d output (%d,%d): %g, want %g", name, r, oy, ox, got, w)
					}
				}
			}
		}

		// The adjoint: gradients on the output columns, zero elsewhere.
		dcol := make([]float32, kk*oh*ow)
		shifted := make([]float32, kk*ld)
		for r := 0; r < kk; r++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					v := rng.Float32()
					dcol[(r*oh+oy)*ow+ox], shifted[r*ld+oy*wp+ox] = v, v
				}
			}
		}
		wantDx := make([]float32, len(x))
		Col2im(g, dcol, wantDx)
		dxp := make([]float32, len(xp))
		Col2imShifted(g, shifted, ld, dxp)
		dx := make([]float32, len(x))
		UnpadImage(g, dxp, dx)
		for i := range dx {
			if d := dx[i] - wantDx[i]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("%s: dx[%d] = %g, want %g", name, i, dx[i], wantDx[i])
			}
		}
	}
}

// TestAddTo checks the vectorised dst += src against the Go loop for every
// length up to 70 at every alignment, with guard bands, under each
// CPU-feature level.
func TestAddTo(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, level := range featureLevels() {
		withFeatures(level.avx512, level.avx2fma, func() {
			for _, n := range lengths() {
				for off := 0; off < 8; off++ {
					src := activationInputs(rng, n)
					init := activationInputs(rng, n)
					want := append([]float32(nil), init...)
					addToGo(want, src)
					buf, got := guarded(n, off)
					copy(got, init)
					addTo(got, src)
					checkGuards(t, level.name+"/addTo", buf, off, n)
					for i := range want {
						if !sameFloat(got[i], want[i]) {
							t.Fatalf("%s: n=%d off=%d: [%d] = %g, want %g", level.name, n, off, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

// TestCopyAddScalar checks the vectorised dst = src + b against the Go loop
// for every length up to 70 at every alignment, with guard bands, under
// each CPU-feature level.
func TestCopyAddScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, level := range featureLevels() {
		withFeatures(level.avx512, level.avx2fma, func() {
			for _, n := range lengths() {
				for off := 0; off < 8; off++ {
					src := activationInputs(rng, n)
					want := make([]float32, n)
					copyAddScalarGo(want, src, 0.5)
					buf, got := guarded(n, off)
					CopyAddScalar(got, src, 0.5)
					checkGuards(t, level.name+"/CopyAddScalar", buf, off, n)
					for i := range want {
						if !sameFloat(got[i], want[i]) {
							t.Fatalf("%s: n=%d off=%d: [%d] = %g, want %g", level.name, n, off, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

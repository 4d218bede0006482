package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvWgradImage checks PackConvWgradB and ConvWgradImage against a
// float64 sum over the formula at the top of conv_wgrad_image.go, on every
// CPU feature level: channels 8 to 24 (one to three tiles), filters that
// leave a tail of the 32-wide panel or fill several, output widths that
// leave every tail of the 4-step loop, padding, dilation, a range of
// output rows, several examples apart in memory, and both adding to and
// overwriting dWT. Values of dWT outside the nf columns must not change.
func TestConvWgradImage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	geoms := []ConvGeom{
		{C: 8, H: 6, W: 5, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 16, H: 7, W: 14, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 24, H: 9, W: 11, KH: 3, KW: 2, SH: 1, SW: 1, PadT: 2, PadL: 0, PadB: 1, PadR: 1, DH: 2, DW: 1},
		{C: 8, H: 8, W: 8, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1},
		{C: 16, H: 4, W: 35, KH: 1, KW: 3, SH: 1, SW: 1, PadL: 1, PadR: 1, DH: 1, DW: 2},
	}
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for gi, g := range geoms {
				for _, nf := range []int{1, 7, 32, 45, 64} {
					for _, ne := range []int{1, 3} {
						oh := g.OutH()
						for _, yr := range [][2]int{{0, oh}, {1, oh - 1}} {
							for _, overwrite := range []bool{false, true} {
								name := fmt.Sprintf("%s/g%d/nf=%d/ne=%d/rows=%d-%d/overwrite=%v", l.name, gi, nf, ne, yr[0], yr[1], overwrite)
								checkConvWgradImage(t, rng, name, g, nf, ne, yr[0], yr[1]-yr[0], overwrite)
							}
						}
					}
				}
			}
		})
	}
}

func checkConvWgradImage(t *testing.T, rng *rand.Rand, name string, g ConvGeom, nf, ne, y0, rows int, overwrite bool) {
	t.Helper()
	hp, wp := g.Padded()
	ow := g.OutW()
	npix := g.OutH() * ow
	estr := g.C*hp*wp + 5
	xp := randSlice(rng, (ne-1)*estr+g.C*hp*wp)
	ldd := npix + 3
	d := randSlice(rng, ne*nf*ldd) // example e's gradient at e·nf·ldd
	k := ne * rows * ow
	bp := randSlice(rng, ConvWgradBLen(nf, k))
	for e := 0; e < ne; e++ {
		PackConvWgradB(nf, rows*ow, d[e*nf*ldd+y0*ow:], ldd, bp, e*rows*ow, k)
	}
	kk, khw := g.ColRows(), g.KH*g.KW
	ldw := nf + 2
	dWT := randSlice(rng, kk*ldw)
	want := make([]float64, len(dWT))
	for i, v := range dWT {
		if !overwrite || i%ldw >= nf {
			want[i] = float64(v)
		}
	}
	for c := 0; c < g.C; c++ {
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				r := c*khw + ki*g.KW + kj
				for f := 0; f < nf; f++ {
					var s float64
					for e := 0; e < ne; e++ {
						for y := y0; y < y0+rows; y++ {
							for x := 0; x < ow; x++ {
								pix := xp[e*estr+c*hp*wp+(y+ki*g.DH)*wp+x+kj*g.DW]
								s += float64(pix) * float64(d[e*nf*ldd+f*ldd+y*ow+x])
							}
						}
					}
					want[r*ldw+f] += s
				}
			}
		}
	}
	ConvWgradImage(g, nf, xp, estr, ne, y0, rows, bp, overwrite, dWT, ldw)
	for i, v := range dWT {
		if i%ldw >= nf {
			if float64(v) != want[i] {
				t.Fatalf("%s: dWT[%d][%d], past the filters, changed", name, i/ldw, i%ldw)
			}
			continue
		}
		if diff := math.Abs(float64(v) - want[i]); diff > 1e-5*(1+math.Abs(want[i])) {
			t.Fatalf("%s: dWT[%d][%d] = %v, want %v", name, i/ldw, i%ldw, v, want[i])
		}
	}
}

// TestPackConvWgradB checks the packed layout and the zeros past nf.
func TestPackConvWgradB(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, nf := range []int{3, 32, 40} {
		for _, n := range []int{1, 9, 20} {
			const k0, extra = 2, 3
			k := k0 + n + extra
			ldd := n + 1
			d := randSlice(rng, nf*ldd)
			bp := randSlice(rng, ConvWgradBLen(nf, k))
			before := append([]float32(nil), bp...)
			PackConvWgradB(nf, n, d, ldd, bp, k0, k)
			for j := 0; j*32 < nf; j++ {
				for p := 0; p < k; p++ {
					for l := 0; l < 32; l++ {
						i := (j*k+p)*32 + l
						switch f := 32*j + l; {
						case p < k0 || p >= k0+n:
							if bp[i] != before[i] {
								t.Fatalf("nf=%d n=%d: bp[%d] outside the pixels changed", nf, n, i)
							}
						case f >= nf:
							if bp[i] != 0 {
								t.Fatalf("nf=%d n=%d: bp[%d] past the filters = %v, want 0", nf, n, i, bp[i])
							}
						case bp[i] != d[f*ldd+p-k0]:
							t.Fatalf("nf=%d n=%d: bp[%d] = %v, want d[%d][%d] = %v", nf, n, i, bp[i], f, p-k0, d[f*ldd+p-k0])
						}
					}
				}
			}
		}
	}
}

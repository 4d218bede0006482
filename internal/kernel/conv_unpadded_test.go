package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// unpaddedGeoms are geometries ConvGemm3Unpadded takes: output rows 16,
// 32 and 64 wide, so that a tile holds runs of 8, 4 and 2 rows, with
// symmetric, one-sided and no padding, a 5×5 and a dilated kernel.
func unpaddedGeoms() []ConvGeom {
	g := func(c, h, w, k, pt, pl, pb, pr, d int) ConvGeom {
		return ConvGeom{C: c, H: h, W: w, KH: k, KW: k, SH: 1, SW: 1, PadT: pt, PadL: pl, PadB: pb, PadR: pr, DH: d, DW: d}
	}
	return []ConvGeom{
		g(32, 32, 32, 3, 1, 1, 1, 1, 1), // CIFAR's first layer's input gradient
		g(5, 16, 16, 3, 1, 1, 1, 1, 1),
		g(2, 8, 16, 3, 1, 1, 1, 1, 1),
		g(3, 4, 64, 3, 1, 1, 1, 1, 1),
		g(4, 32, 32, 5, 2, 2, 2, 2, 1),
		g(3, 18, 18, 3, 0, 0, 0, 0, 1), // no padding: 16×16 out
		g(2, 16, 16, 3, 2, 0, 0, 2, 1), // padded on two sides only
		g(2, 16, 16, 3, 2, 2, 2, 2, 2), // dilated
		g(1, 16, 32, 3, 1, 1, 1, 1, 1),
	}
}

// TestConvGemm3Unpadded checks ConvGemm3Unpadded against its reference on
// every CPU level, and against ConvGemmCols on the padded image for the
// same bits. The image sits between NaNs, so a lane read outside it would
// show, and C's rows between guard values that must stay.
func TestConvGemm3Unpadded(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	nan := float32(math.NaN())
	for _, g := range unpaddedGeoms() {
		p, ok := NewUnpaddedPlan(g)
		if !ok {
			t.Fatalf("%+v: not planned", g)
		}
		x, xp := paddedImage(rng, g)
		buf := make([]float32, len(x)+2*g.W+64)
		for i := range buf {
			buf[i] = nan
		}
		xin := buf[g.W+32:][:len(x)]
		copy(xin, x)
		k, npix := g.ColRows(), g.OutH()*g.OutW()
		ldw, ldc := k+3, npix+5
		w := make([]float32, 2*ldw+k)
		for i := range w {
			w[i] = 2*rng.Float32() - 1
		}
		want := make([]float32, 2*ldc+npix)
		convGemm3UnpaddedGo(p, w, ldw, xin, want, ldc)
		padded := make([]float32, len(want))
		ConvGemmCols(g, 3, w, ldw, xp, ConvOffsets(g), 0, npix, 0, padded, ldc)
		for _, l := range featureLevels() {
			withFeatures(l.avx512, l.avx2fma, func() {
				got := make([]float32, len(want))
				for i := range got {
					got[i] = -7
				}
				ConvGemm3Unpadded(p, w, ldw, xin, got, ldc)
				for i := range 3 {
					for j := range ldc {
						if i == 2 && j >= npix {
							break
						}
						v := got[i*ldc+j]
						if j >= npix {
							if v != -7 {
								t.Fatalf("%+v %s: guard C[%d][%d] = %v", g, l.name, i, j, v)
							}
							continue
						}
						if d := math.Abs(float64(v - want[i*ldc+j])); !(d <= 1e-4*float64(k)) {
							t.Fatalf("%+v %s: C[%d][%d] = %v, reference %v", g, l.name, i, j, v, want[i*ldc+j])
						}
						if ConvGemmThin() && v != padded[i*ldc+j] {
							t.Fatalf("%+v %s: C[%d][%d] = %v, padded path %v: bits differ", g, l.name, i, j, v, padded[i*ldc+j])
						}
					}
				}
			})
		}
	}
}

// TestNewUnpaddedPlan checks which geometries are planned, that CIFAR's
// tiles share three mask tables (top, middle and bottom rows), and which of
// them take the steady-mask kernel.
func TestNewUnpaddedPlan(t *testing.T) {
	base := ConvGeom{C: 32, H: 32, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}
	p, ok := NewUnpaddedPlan(base)
	if !ok {
		t.Fatal("CIFAR's input gradient is not planned")
	}
	if got, want := len(p.tables)/(8*base.ColRows()), 3; got != want {
		t.Errorf("%d mask tables, want %d", got, want)
	}
	if len(p.tile) != 8 {
		t.Errorf("%d tiles, want 8", len(p.tile))
	}
	// Every tile's masks are steady: lane 0 off for the left runs at kj =
	// 0, lane 15 for the right at 2; tile 0 has no image row above its
	// first output row, tile 7 none below its last.
	want := [6]uint16{0xfffe, 0xffff, 0xffff, 0xffff, 0xffff, 0x7fff}
	for tile, s := range p.steady {
		edge := steadyMiddle
		switch tile {
		case 0:
			edge = steadyTop
		case 7:
			edge = steadyBottom
		}
		if !s.ok || s.m != want || s.edge != edge {
			t.Errorf("tile %d: steady masks %v %#x edge %d, want %#x edge %d", tile, s.ok, s.m, s.edge, want, edge)
		}
	}
	// 16-wide rows: a run is a whole row, and a tile's first and last
	// rows are single runs, not the pairs the top and bottom kernels skip:
	// both tiles of a 16×16 image stay on the masked kernel.
	narrow := base
	narrow.H, narrow.W = 16, 16
	q, _ := NewUnpaddedPlan(narrow)
	for tile, s := range q.steady {
		if s.ok {
			t.Errorf("16×16, tile %d: steady masks (edge %d), want none", tile, s.edge)
		}
	}
	for _, bad := range []func(g *ConvGeom){
		func(g *ConvGeom) { g.SH, g.SW = 2, 2 },
		func(g *ConvGeom) { g.W = 24 },                      // 24-wide rows
		func(g *ConvGeom) { g.H = 3 },                       // 96 pixels: no whole tile
		func(g *ConvGeom) { g.H, g.PadT, g.PadB = 1, 0, 0 }, // no output
	} {
		g := base
		bad(&g)
		if _, ok := NewUnpaddedPlan(g); ok {
			t.Errorf("%+v planned", g)
		}
	}
}

package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// col2imGeoms have output rows under, at and past a vector, padding and
// dilation.
var col2imGeoms = []ConvGeom{
	{C: 6, H: 14, W: 14, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1}, // LeNet-5's second layer
	{C: 1, H: 28, W: 28, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2},
	{C: 3, H: 7, W: 9, KH: 3, KW: 3, SH: 1, SW: 1, DH: 2, DW: 2, PadT: 1, PadL: 2, PadB: 0, PadR: 1},
	{C: 2, H: 4, W: 4, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1},
	{C: 4, H: 5, W: 3, KH: 2, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PadB: 1},
	{C: 2, H: 6, W: 18, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1}, // rows of 16
	{C: 2, H: 5, W: 35, KH: 3, KW: 2, SH: 1, SW: 1, DH: 1, DW: 1}, // rows of 34: two vectors and a tail
	{C: 1, H: 3, W: 33, KH: 1, KW: 2, SH: 1, SW: 1, DH: 1, DW: 1}, // rows of 32: no tail
}

// TestRowsCol2im checks NewRowsCol2im's Set against Col2im, bit for bit
// (both add a pixel's terms in tap order, onto zero), on every CPU feature
// level: Set into dxp, then its interior, against Col2im, which drops the
// padding's terms, with columns further apart than OH·OW too. dxp starts
// full of garbage, which Set must overwrite, and has guard values past the
// planes, which it must not.
func TestRowsCol2im(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, g := range col2imGeoms {
				hp, _ := g.Padded()
				npix, rows := g.OutH()*g.OutW(), g.ColRows()
				for _, ld := range []int{npix, npix + 5} {
					name := fmt.Sprintf("%s/%+v/ld=%d", l.name, g, ld)
					col := randSlice(rng, (rows-1)*ld+npix)
					packed := make([]float32, rows*npix)
					for r := 0; r < rows; r++ {
						copy(packed[r*npix:(r+1)*npix], col[r*ld:])
					}
					want := make([]float32, g.C*g.H*g.W)
					Col2im(g, packed, want)
					p := NewRowsCol2im(g, ld)
					ws := p.RowStride()
					planes := g.C * hp * ws
					dxp := randSlice(rng, planes+3)
					guard := append([]float32(nil), dxp[planes:]...)
					p.Set(col, dxp[:planes])
					got := make([]float32, len(want))
					CopyPlanes(got, g.W, g.H*g.W, dxp[g.PadT*ws+g.PadL:], ws, hp*ws, g.C, g.H, g.W)
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%s: dx[%d] = %v, want %v", name, i, got[i], want[i])
						}
					}
					for i, v := range guard {
						if dxp[planes+i] != v {
							t.Fatalf("%s: guard %d overwritten", name, i)
						}
					}
				}
			}
		})
	}
}

// TestRowsCol2imChecks: arguments that do not fit panic.
func TestRowsCol2imChecks(t *testing.T) {
	g := ConvGeom{C: 2, H: 5, W: 5, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1}
	p := NewRowsCol2im(g, 9)
	col := make([]float32, g.ColRows()*9)
	for name, f := range map[string]func(){
		"short col": func() { p.Set(col[:len(col)-1], make([]float32, 2*5*16)) },
		"short dxp": func() { p.Set(col, make([]float32, 2*5*16-1)) },
		"ld":        func() { NewRowsCol2im(g, 8) },
		"stride":    func() { g := g; g.SH = 2; NewRowsCol2im(g, 9) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

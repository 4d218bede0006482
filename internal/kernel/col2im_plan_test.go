package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCol2imPlan checks Col2imPlan.Set against Col2imShifted into a
// zeroed plane, bit for bit (both add a value's terms in tap order), over
// geometries with and without padding and dilation, planes that are and
// are not whole vectors, and columns further apart than ShiftedCols, on
// every CPU feature level. dxp starts full of garbage, which Set must
// overwrite, and has guard values past the planes, which it must not.
func TestCol2imPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	geoms := []ConvGeom{
		{C: 6, H: 12, W: 12, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1},                                     // LeNet-5's second layer
		{C: 1, H: 28, W: 28, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2}, // its first
		{C: 3, H: 7, W: 9, KH: 3, KW: 3, SH: 1, SW: 1, DH: 2, DW: 2, PadT: 1, PadL: 2, PadB: 0, PadR: 1},
		{C: 2, H: 4, W: 4, KH: 1, KW: 1, SH: 1, SW: 1, DH: 1, DW: 1},
		{C: 4, H: 5, W: 3, KH: 2, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, PadB: 1},
	}
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, g := range geoms {
				hp, wp := g.Padded()
				n, plane := g.ShiftedCols(), hp*wp
				for _, ld := range []int{n, n + 5} {
					name := fmt.Sprintf("%s/%+v/ld=%d", l.name, g, ld)
					rows := g.C * g.KH * g.KW
					col := randSlice(rng, (rows-1)*ld+n)
					want := make([]float32, g.C*plane+3)
					Col2imShifted(g, col, ld, want)
					got := randSlice(rng, len(want))
					copy(want[g.C*plane:], got[g.C*plane:])
					NewShiftedCol2im(g, ld).Set(col, got[:g.C*plane])
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%s: dxp[%d] = %v, want %v", name, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

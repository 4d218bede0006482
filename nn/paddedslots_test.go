package nn

import (
	"testing"

	"github.com/convnet/convnet/internal/kernel"
)

// TestPaddedSlotsGeometry: after images of one geometry, images of another
// with slots of the same size still find zero borders.
func TestPaddedSlotsGeometry(t *testing.T) {
	var p paddedSlots
	for _, hw := range [][2]int{{10, 12}, {12, 10}} {
		g := kernel.ConvGeom{C: 2, H: hw[0], W: hw[1], KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}
		x := make([]float32, 2*g.C*g.H*g.W)
		setAll(x, 1)
		xp, xstr, pad := p.layout(g, x, g.C*g.H*g.W, 2, false)
		if !pad {
			t.Fatalf("%v: padded layout expected", hw)
		}
		for e := 0; e < 2; e++ {
			kernel.PadImage(g, x[e*g.C*g.H*g.W:][:g.C*g.H*g.W], xp[e*xstr:])
		}
		hp, wp := g.Padded()
		var ones int
		for _, v := range xp[:2*xstr] {
			if v != 0 {
				ones++
			}
		}
		if want := 2 * g.C * g.H * g.W; ones != want || xstr != g.C*hp*wp {
			t.Fatalf("%v: %d nonzero values in the slots, want the %d of the interiors", hw, ones, want)
		}
	}
}

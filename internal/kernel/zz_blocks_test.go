package kernel

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestZZBlocks(t *testing.T) {
	g := ConvGeom{C: 256, H: 14, W: 14, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}
	f := 256
	rng := rand.New(rand.NewPCG(1, 1))
	_, xp := paddedImage(rng, g)
	off := ConvOffsets(g)
	kk, npix := g.ColRows(), g.OutH()*g.OutW()
	w := make([]float32, f*kk)
	for i := range w {
		w[i] = rng.Float32()
	}
	c := make([]float32, f*npix)
	full := 192
	run := func(blk int) float64 {
		t0 := time.Now()
		n := 0
		for time.Since(t0) < 100*time.Millisecond {
			for j := 0; j < full; j += blk {
				ConvGemmCols(g, f, w, kk, xp, off, j, min(blk, full-j), 0, c[j:], npix)
			}
			n++
		}
		return 2 * float64(f*kk*full) * float64(n) / time.Since(t0).Seconds() / 1e9
	}
	for r := 0; r < 5; r++ {
		a, b, c2, d := run(192), run(96), run(64), run(32)
		t.Logf("192: %.1f  96: %.3f  64: %.3f  32: %.3f", a, b/a, c2/a, d/a)
	}
}

package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestConvGather checks convGather, on every feature level, against
// convGatherGo for the runs of every output width from 1 to 40 pixels,
// starting at every lane of a row, 16- and 32-wide panels full and not,
// one image and several side by side: each of its paths (one run a half,
// whole quarters, up to three runs a half with their masks held across the
// rows, and any runs) is taken by some of them, and the counts of the
// last two are checked.
func TestConvGather(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const k, wp, rows = 5, 48, 6
	xp := randSlice(rng, 64+rows*wp+48*k+64)
	off := make([]int32, k)
	for i := range off {
		off[i] = int32(64 + 48*i)
	}
	halves, other := 0, 0
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for ow := 1; ow <= 40; ow++ {
				for _, per := range []int{0, 3} {
					cc := convCols{xp: xp, off: off, ow: ow, wp: wp, per: per, estr: 2}
					for j0 := 0; j0 < 2*ow && j0+32 <= rows*ow; j0++ {
						for _, w := range []int{16, 32} {
							for _, cols := range []int{w, w - 3, 1} {
								var segs [32]convSeg
								s := cc.segments(j0, cols, &segs)
								if _, _, ok := gatherHalves(s, w); ok {
									halves++
								} else {
									other++
								}
								got := randSlice(rng, k*w)
								want := make([]float32, k*w)
								convGather(k, xp, off, s, got, w, w)
								convGatherGo(k, xp, off, s, want, w, w)
								for i := range want {
									if got[i] != want[i] {
										t.Fatalf("%s ow=%d per=%d j0=%d w=%d cols=%d: [%d] = %g, want %g (segments %v)",
											l.name, ow, per, j0, w, cols, i, got[i], want[i], s)
									}
								}
							}
						}
					}
				}
			}
		})
	}
	if halves == 0 || other == 0 {
		t.Fatal(fmt.Sprintf("cases with up to three runs a half %d, with more %d: a path went untested", halves, other))
	}
}

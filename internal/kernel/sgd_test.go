package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMomentumStep checks MomentumStep against the update in float64, on
// lengths around the 16-value vector, on every CPU feature level.
func TestMomentumStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const lr, mu, wd = 0.05, 0.9, 1e-3
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, n := range []int{1, 15, 16, 17, 33, 1000} {
				name := fmt.Sprintf("%s/n=%d", l.name, n)
				w, g, b := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
				ww, wb := make([]float64, n), make([]float64, n)
				for j := range w {
					wb[j] = mu*float64(b[j]) + (float64(g[j]) + wd*float64(w[j]))
					ww[j] = float64(w[j]) - lr*wb[j]
				}
				MomentumStep(w, g, b, lr, mu, wd)
				for j := range w {
					if math.Abs(float64(b[j])-wb[j]) > 1e-6 || math.Abs(float64(w[j])-ww[j]) > 1e-6 {
						t.Fatalf("%s: element %d: w %v b %v, want %v %v", name, j, w[j], b[j], ww[j], wb[j])
					}
				}
			}
		})
	}
}

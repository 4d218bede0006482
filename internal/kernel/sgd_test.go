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

// TestSGDAndNesterovStep checks SGDStep and NesterovStep on every CPU
// level against their scalar references for the same bits, and against
// the update in float64, on lengths around the 16-value vector.
func TestSGDAndNesterovStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const lr, mu, wd = 0.05, 0.9, 1e-3
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, n := range []int{1, 15, 16, 17, 33, 1000} {
				name := fmt.Sprintf("%s/n=%d", l.name, n)
				w, g, b := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
				w2, b2 := append([]float32(nil), w...), append([]float32(nil), b...)
				rw, rw2, rb2 := append([]float32(nil), w...), append([]float32(nil), w...), append([]float32(nil), b...)
				fw, fw2, fb2 := make([]float64, n), make([]float64, n), make([]float64, n)
				for j := range w {
					d := float64(g[j]) + wd*float64(w[j])
					fw[j] = float64(w[j]) - lr*d
					fb2[j] = mu*float64(b[j]) + d
					fw2[j] = float64(w[j]) - lr*(d+mu*fb2[j])
				}
				sgdStepGo(rw, g, lr, wd)
				nesterovStepGo(rw2, g, rb2, lr, mu, wd)
				SGDStep(w, g, lr, wd)
				NesterovStep(w2, g, b2, lr, mu, wd)
				for j := range w {
					if w[j] != rw[j] || w2[j] != rw2[j] || b2[j] != rb2[j] {
						t.Fatalf("%s: element %d: sgd w %v, nesterov w b %v %v; reference %v, %v %v", name, j, w[j], w2[j], b2[j], rw[j], rw2[j], rb2[j])
					}
					if math.Abs(float64(w[j])-fw[j]) > 1e-6 || math.Abs(float64(w2[j])-fw2[j]) > 1e-6 || math.Abs(float64(b2[j])-fb2[j]) > 1e-6 {
						t.Fatalf("%s: element %d: sgd w %v, nesterov w b %v %v; float64 %v, %v %v", name, j, w[j], w2[j], b2[j], fw[j], fw2[j], fb2[j])
					}
				}
			}
		})
	}
}

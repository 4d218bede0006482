package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamStep checks AdamStep on every CPU level against its scalar
// reference for the same bits, and against the update in float64, on
// lengths around the 16-value vector, for Adam with L2 decay and for AdamW.
func TestAdamStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range []AdamConsts{
		{Shrink: 1, WD: 1e-2, B1: 0.9, C1: 0.1, B2: 0.999, C2: 0.001, BC2Sqrt: 0.0316, Eps: 1e-8, NegStep: -0.01},
		{Shrink: 0.999, B1: 0.8, C1: 0.2, B2: 0.99, C2: 0.01, BC2Sqrt: 0.5, Eps: 1e-3, NegStep: -0.002},
	} {
		for _, l := range featureLevels() {
			withFeatures(l.avx512, l.avx2fma, func() {
				for _, n := range []int{1, 15, 16, 17, 33, 1000} {
					name := fmt.Sprintf("%s/%+v/n=%d", l.name, c, n)
					w, g, m, v := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), randSlice(rng, n)
					for j := range v {
						v[j] = v[j] * v[j] // a second moment is not negative
					}
					rw, rm, rv := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
					fw, fm, fv := make([]float64, n), make([]float64, n), make([]float64, n)
					for j := range w {
						wj := float64(w[j]) * float64(c.Shrink)
						gj := float64(g[j]) + float64(c.WD)*wj
						fm[j] = float64(c.B1)*float64(m[j]) + float64(c.C1)*gj
						fv[j] = float64(c.B2)*float64(v[j]) + float64(c.C2)*gj*gj
						fw[j] = wj + float64(c.NegStep)*fm[j]/(math.Sqrt(fv[j])/float64(c.BC2Sqrt)+float64(c.Eps))
					}
					adamStepGo(rw, g, rm, rv, &c)
					AdamStep(w, g, m, v, &c)
					for j := range w {
						if w[j] != rw[j] || m[j] != rm[j] || v[j] != rv[j] {
							t.Fatalf("%s: element %d: w m v %v %v %v, reference %v %v %v", name, j, w[j], m[j], v[j], rw[j], rm[j], rv[j])
						}
						if math.Abs(float64(w[j])-fw[j]) > 1e-5 || math.Abs(float64(m[j])-fm[j]) > 1e-6 || math.Abs(float64(v[j])-fv[j]) > 1e-6 {
							t.Fatalf("%s: element %d: w m v %v %v %v, float64 %v %v %v", name, j, w[j], m[j], v[j], fw[j], fm[j], fv[j])
						}
					}
				}
			})
		}
	}
}

// TestAdamStepLengths checks that AdamStep refuses slices of other lengths.
func TestAdamStepLengths(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("AdamStep took slices of different lengths")
		}
	}()
	AdamStep(make([]float32, 3), make([]float32, 3), make([]float32, 2), make([]float32, 3), &AdamConsts{})
}

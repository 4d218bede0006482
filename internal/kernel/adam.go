package kernel

import (
	"fmt"
	"math"
)

// AdamConsts are the constants of one Adam or AdamW step on one parameter
// (see AdamStep), as PyTorch 1.13 rounds them to float32.
type AdamConsts struct {
	Shrink  float32 // AdamW's decoupled decay, 1 - lr·wd; 1 for Adam
	WD      float32 // Adam's L2 decay, added to the gradient; 0 for AdamW
	B1, C1  float32 // beta1 and 1 - beta1
	B2, C2  float32 // beta2 and 1 - beta2
	BC2Sqrt float32 // sqrt(1 - beta2^t)
	Eps     float32
	NegStep float32 // -lr / (1 - beta1^t)
}

// AdamStep is one step of Adam or AdamW (torch.optim.Adam and AdamW of
// PyTorch 1.13, without amsgrad) on one parameter, element by element,
// each operation rounded to float32 in this order:
//
//	w = w·Shrink
//	g' = g + WD·w
//	m = B1·m + C1·g'
//	v = B2·v + (C2·g')·g'
//	w = w + (NegStep·m) / (sqrt(v)/BC2Sqrt + Eps)
//
// It is vectorised on CPUs with AVX-512, without fused multiply-adds, so
// with the bits of the scalar loop; every element is independent, so any
// split of a parameter over threads gives the same bits. On LeNet-5's
// 61,706 parameters the scalar loop took 200-215 µs a step, a tenth of a
// training step at 1 thread; this takes 33-60.
func AdamStep(w, g, m, v []float32, k *AdamConsts) {
	if len(g) != len(w) || len(m) != len(w) || len(v) != len(w) {
		panic(fmt.Sprintf("kernel: AdamStep: lengths %d, %d, %d, %d differ", len(w), len(g), len(m), len(v)))
	}
	if len(w) == 0 {
		return
	}
	adamStep(w, g, m, v, k)
}

// adamStepGo is AdamStep's reference. The conversions round each product
// to float32 before the sum, as the vector code does: without them a
// compiler may fuse a product into the sum (Go's spec allows it).
func adamStepGo(w, g, m, v []float32, k *AdamConsts) {
	for j := range w {
		wj := w[j] * k.Shrink
		gj := g[j] + float32(k.WD*wj)
		m[j] = float32(k.B1*m[j]) + float32(k.C1*gj)
		v[j] = float32(k.B2*v[j]) + float32(float32(k.C2*gj)*gj)
		denom := float32(math.Sqrt(float64(v[j])))/k.BC2Sqrt + k.Eps
		w[j] = wj + float32(k.NegStep*m[j])/denom
	}
}

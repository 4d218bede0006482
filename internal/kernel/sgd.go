package kernel

import "fmt"

// MomentumStep is one step of SGD with momentum and weight decay (PyTorch's
// SGD, dampening 0, not Nesterov) on one parameter, element by element:
//
//	b = mu·b + (g + wd·w)
//	w = w - lr·b
//
// It is vectorised on CPUs with AVX-512 (where the products are fused into
// the sums); every element is independent, so any split of a parameter
// over threads gives the same bits.
func MomentumStep(w, g, b []float32, lr, mu, wd float32) {
	if len(g) != len(w) || len(b) != len(w) {
		panic(fmt.Sprintf("kernel: MomentumStep: lengths %d, %d, %d differ", len(w), len(g), len(b)))
	}
	if len(w) == 0 {
		return
	}
	momentumStep(w, g, b, lr, mu, wd)
}

func momentumStepGo(w, g, b []float32, lr, mu, wd float32) {
	for j := range w {
		b[j] = mu*b[j] + (g[j] + wd*w[j])
		w[j] -= lr * b[j]
	}
}

// SGDStep is one step of plain SGD with weight decay on one parameter,
// each operation rounded to float32 in this order: w = w - lr·(g + wd·w).
// It is vectorised on CPUs with AVX-512 without fused multiply-adds, so
// with the bits of the scalar loop.
func SGDStep(w, g []float32, lr, wd float32) {
	if len(g) != len(w) {
		panic(fmt.Sprintf("kernel: SGDStep: lengths %d, %d differ", len(w), len(g)))
	}
	if len(w) == 0 {
		return
	}
	sgdStep(w, g, lr, wd)
}

// NesterovStep is one step of SGD with Nesterov momentum (PyTorch's,
// dampening 0) on one parameter, each operation rounded to float32 in this
// order, without fused multiply-adds as SGDStep:
//
//	d = g + wd·w
//	b = mu·b + d
//	w = w - lr·(d + mu·b)
func NesterovStep(w, g, b []float32, lr, mu, wd float32) {
	if len(g) != len(w) || len(b) != len(w) {
		panic(fmt.Sprintf("kernel: NesterovStep: lengths %d, %d, %d differ", len(w), len(g), len(b)))
	}
	if len(w) == 0 {
		return
	}
	nesterovStep(w, g, b, lr, mu, wd)
}

// sgdStepGo is SGDStep's reference; the conversions keep a compiler from
// fusing a product into a sum.
func sgdStepGo(w, g []float32, lr, wd float32) {
	g = g[:len(w)]
	for j := range w {
		w[j] -= float32(lr * (g[j] + float32(wd*w[j])))
	}
}

// nesterovStepGo is NesterovStep's reference.
func nesterovStepGo(w, g, b []float32, lr, mu, wd float32) {
	g, b = g[:len(w)], b[:len(w)]
	for j := range w {
		d := g[j] + float32(wd*w[j])
		b[j] = float32(mu*b[j]) + d
		w[j] -= float32(lr * (d + float32(mu*b[j])))
	}
}

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

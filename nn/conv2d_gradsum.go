package nn

import "github.com/convnet/convnet/internal/kernel"

// sumGrads sets the weight gradient to the sum of the workers' partial
// gradients, in worker order, so results do not depend on scheduling. The
// first worker's may already be the weight gradient itself (Backward).
// Gradients of at least kernel.SpreadMin values are summed over the
// threads, each a range of elements: serial, the 256×256×3×3 gradient of
// 8×256×14×14 took 2-3% of that layer's forward and backward pass at 2
// threads.
func (l *Conv2D) sumGrads(work []convWork) {
	t := &l.gradSum
	t.dst, t.work = l.W.Grad.Data, work
	kernel.Spread(len(t.dst), len(t.dst), t)
	t.dst, t.work = nil, nil
}

// convGradSum is sumGrads' loop over a range of elements.
type convGradSum struct {
	dst  []float32
	work []convWork
}

func (t *convGradSum) Run(_, lo, hi int) {
	if w0 := t.work[0].dW; &w0[lo] != &t.dst[lo] {
		copy(t.dst[lo:hi], w0[lo:hi])
	}
	for _, wk := range t.work[1:] {
		kernel.AddTo(t.dst[lo:hi], wk.dW[lo:hi])
	}
}

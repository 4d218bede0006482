package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// PReLU is a leaky ReLU whose negative slope is learned (He et al. 2015), as
// PyTorch's PReLU and ONNX PRelu:
//
//	out = x if x > 0, else a_c · x        ∂out/∂a_c = x where x ≤ 0, else 0
//
// with one slope a_c per channel (axis 1 of the batched input), or a single
// slope for all with Shared (PyTorch's num_parameters=1). in and out have
// the same shape, (N,C,H,W) or flat (N,C); a ("weight") is (C) or (1),
// initialised to 0.25 as in PyTorch.
type PReLU struct {
	Shared bool

	A *Param

	c, inner int         // channels and values per channel per example
	work     [][]float32 // per-worker partial slope gradients
	task     preluTask
}

// preluTask runs Forward's or Backward's loop over a range of examples; the
// layer keeps it so kernel.Parallel allocates nothing.
type preluTask struct {
	l            *PReLU
	backward     bool
	x, y, dy, dx []float32
}

func (t *preluTask) Run(wi, lo, hi int) {
	if t.backward {
		t.l.backwardRange(t.x, t.dy, t.dx, wi, lo, hi)
	} else {
		t.l.forwardRange(t.x, t.y, lo, hi)
	}
}

// NewPReLU returns a PReLU with one slope per channel.
func NewPReLU() *PReLU { return &PReLU{} }

func (l *PReLU) Type() string { return "prelu" }

func (l *PReLU) Describe() string {
	if l.Shared {
		return "prelu(shared=true)"
	}
	return "prelu"
}

func (l *PReLU) Build(in [][]int) ([]int, error) {
	if len(in) != 1 || len(in[0]) < 1 {
		return nil, fmt.Errorf("%s expects one input with a channel axis, gets %s", l.Describe(), shapesString(in))
	}
	l.c, l.inner = in[0][0], tensor.Size(in[0][1:])
	slopes := l.c
	if l.Shared {
		slopes = 1
	}
	if l.A == nil || !tensor.EqualShape(l.A.Value.Shape, []int{slopes}) {
		l.A = NewParam("weight", slopes)
		l.InitParams(nil, "")
	}
	return append([]int(nil), in[0]...), nil
}

func (l *PReLU) Params() []*Param { return []*Param{l.A} }

// InitParams sets every slope to 0.25 (it draws nothing).
func (l *PReLU) InitParams(rng *rand.Rand, act string) {
	for i := range l.A.Value.Data {
		l.A.Value.Data[i] = 0.25
	}
}

// slope returns the slope of channel ch.
func (l *PReLU) slope(ch int) float32 {
	if l.Shared {
		return l.A.Value.Data[0]
	}
	return l.A.Value.Data[ch]
}

func (l *PReLU) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	l.task = preluTask{l: l, x: in[0].Data, y: out.Data}
	kernel.Parallel(in[0].Shape[0], &l.task)
}

// forwardRange computes the output of examples [lo, hi).
func (l *PReLU) forwardRange(x, y []float32, lo, hi int) {
	c, inner := l.c, l.inner
	for s := lo; s < hi; s++ {
		for ch := 0; ch < c; ch++ {
			off := (s*c + ch) * inner
			kernel.LeakyReLUForward(x[off:off+inner], y[off:off+inner], l.slope(ch))
		}
	}
}

func (l *PReLU) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	x, dy := in[0].Data, dOut.Data
	var dx []float32
	if dIn[0] != nil {
		dx = dIn[0].Data
	}
	n := in[0].Shape[0]
	w := kernel.Workers(n)
	for len(l.work) < w {
		l.work = append(l.work, nil)
	}
	work := l.work[:w]
	l.task = preluTask{l: l, backward: true, x: x, dy: dy, dx: dx}
	kernel.Parallel(n, &l.task)
	// Sum the workers' partial gradients in a fixed order, then fold the
	// channels together for a shared slope.
	g := l.A.Grad.Data
	if l.Shared {
		var sum float32
		for _, da := range work {
			for _, v := range da {
				sum += v
			}
		}
		g[0] = sum
		return
	}
	clear(g)
	for _, da := range work {
		addInto(g, da)
	}
}

// backwardRange writes the input gradient of examples [lo, hi), when dx is
// not nil, and their slope gradients into worker wi's partial sums.
func (l *PReLU) backwardRange(x, dy, dx []float32, wi, lo, hi int) {
	c, inner := l.c, l.inner
	da := grow(l.work[wi], c)
	l.work[wi] = da
	clear(da)
	for s := lo; s < hi; s++ {
		for ch := 0; ch < c; ch++ {
			a := l.slope(ch)
			off := (s*c + ch) * inner
			ds := dy[off : off+inner]
			var sum float32
			for i, v := range x[off : off+inner] {
				if v > 0 {
					if dx != nil {
						dx[off+i] = ds[i]
					}
				} else {
					sum += ds[i] * v
					if dx != nil {
						dx[off+i] = a * ds[i]
					}
				}
			}
			da[ch] += sum
		}
	}
}

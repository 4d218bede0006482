package nn

import (
	"fmt"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// Add sums its inputs elementwise, as ONNX Add (without broadcasting) and
// the skip connection of a residual block (He et al. 2016):
//
//	out = in₀ + in₁ + … + in_{k-1}
//
// Every input has the same shape, which out keeps. Backward copies dOut to
// every input's gradient.
type Add struct {
	task addTask
}

// addTask sums the inputs over a range of chunks; the layer keeps it so
// kernel.Parallel allocates nothing.
type addTask struct {
	in []*tensor.Tensor
	y  []float32
}

func (t *addTask) Run(_, lo, hi int) {
	a, b := min(lo*chunk, len(t.y)), min(hi*chunk, len(t.y))
	copy(t.y[a:b], t.in[0].Data[a:b])
	for _, x := range t.in[1:] {
		addInto(t.y[a:b], x.Data[a:b])
	}
}

// NewAdd returns an elementwise sum of two or more inputs.
func NewAdd() *Add { return &Add{} }

func (l *Add) Type() string     { return "add" }
func (l *Add) Describe() string { return "add" }
func (l *Add) Params() []*Param { return nil }

func (l *Add) Build(in [][]int) ([]int, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("add needs at least two inputs, gets %d", len(in))
	}
	for i, s := range in[1:] {
		if !tensor.EqualShape(s, in[0]) {
			return nil, fmt.Errorf("add: input %d has shape %s but input 1 has %s; every input must have the same shape (a 1x1 conv can match channels, a strided one sizes)",
				i+2, tensor.ShapeString(s), tensor.ShapeString(in[0]))
		}
	}
	return append([]int(nil), in[0]...), nil
}

func (l *Add) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	l.task = addTask{in: in, y: out.Data}
	kernel.Parallel(len(out.Data)/chunk+1, &l.task)
}

func (l *Add) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	for _, dx := range dIn {
		if dx != nil {
			copy(dx.Data, dOut.Data)
		}
	}
}

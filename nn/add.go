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
type Add struct{}

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
	y := out.Data
	kernel.ParallelFor(len(y)/chunk+1, func(_, lo, hi int) {
		a, b := min(lo*chunk, len(y)), min(hi*chunk, len(y))
		copy(y[a:b], in[0].Data[a:b])
		for _, x := range in[1:] {
			addInto(y[a:b], x.Data[a:b])
		}
	})
}

func (l *Add) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	for _, dx := range dIn {
		if dx != nil {
			copy(dx.Data, dOut.Data)
		}
	}
}

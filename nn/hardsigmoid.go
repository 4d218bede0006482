package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// HardSigmoid is the piecewise-linear sigmoid of ONNX HardSigmoid
// (PyTorch's Hardsigmoid is Alpha = 1/6, Beta = 0.5):
//
//	out = max(0, min(1, Alpha·x + Beta))     ∂out/∂x = Alpha where 0 < Alpha·x + Beta < 1, else 0
//
// in and out have the same shape.
type HardSigmoid struct {
	Alpha, Beta float32
}

// NewHardSigmoid returns a hard sigmoid with ONNX's defaults, α = 0.2 and β = 0.5.
func NewHardSigmoid() *HardSigmoid { return &HardSigmoid{Alpha: 0.2, Beta: 0.5} }

func (l *HardSigmoid) Type() string     { return "hardsigmoid" }
func (l *HardSigmoid) Params() []*Param { return nil }

func (l *HardSigmoid) Describe() string {
	if l.Alpha == 0.2 && l.Beta == 0.5 {
		return "hardsigmoid"
	}
	return fmt.Sprintf("hardsigmoid(alpha=%g,beta=%g)", l.Alpha, l.Beta)
}

func (l *HardSigmoid) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("hardsigmoid takes one input, gets %d", len(in))
	}
	return append([]int(nil), in[0]...), nil
}

func (l *HardSigmoid) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	y := out.Data
	for i, v := range in[0].Data {
		y[i] = max(0, min(1, l.Alpha*v+l.Beta))
	}
}

func (l *HardSigmoid) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	dx := dIn[0].Data
	for i, v := range in[0].Data {
		if z := l.Alpha*v + l.Beta; z > 0 && z < 1 {
			dx[i] = l.Alpha * dOut.Data[i]
		} else {
			dx[i] = 0
		}
	}
}

func init() {
	layerSpecs["hardsigmoid"] = layerSpec{"hardsigmoid[(alpha=A,beta=B)]  max(0, min(1, A·x+B)), default A=0.2, B=0.5", func(a *args) (Layer, error) {
		l := NewHardSigmoid()
		l.Alpha = float32(a.optFloat("alpha", float64(l.Alpha)))
		l.Beta = float32(a.optFloat("beta", float64(l.Beta)))
		return l, a.done(0)
	}}
}

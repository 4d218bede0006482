package nn

import (
	"fmt"
	"math"

	"github.com/convnet/convnet/tensor"
)

// Clip limits every value to [Min, Max], as ONNX Clip and PyTorch's clamp
// (ReLU6 is Clip{0, 6}):
//
//	out = min(max(x, Min), Max)     ∂out/∂x = 1 where Min ≤ x ≤ Max, else 0
//
// in and out have the same shape.
type Clip struct {
	Min, Max float32
}

// NewClip returns a clip to [lo, hi]; use ±Inf for an open side.
func NewClip(lo, hi float32) *Clip { return &Clip{Min: lo, Max: hi} }

func (l *Clip) Type() string     { return "clip" }
func (l *Clip) Params() []*Param { return nil }

func (l *Clip) Describe() string { return fmt.Sprintf("clip(%g,%g)", l.Min, l.Max) }

func (l *Clip) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("clip takes one input, gets %d", len(in))
	}
	return append([]int(nil), in[0]...), nil
}

func (l *Clip) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	y := out.Data
	for i, v := range in[0].Data {
		y[i] = min(max(v, l.Min), l.Max)
	}
}

func (l *Clip) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	dx := dIn[0].Data
	for i, v := range in[0].Data {
		if v >= l.Min && v <= l.Max {
			dx[i] = dOut.Data[i]
		} else {
			dx[i] = 0
		}
	}
}

func init() {
	layerSpecs["clip"] = layerSpec{"clip(MIN,MAX)  e.g. clip(0,6) for ReLU6; inf and -inf leave a side open", func(a *args) (Layer, error) {
		lo := a.floatAt(0, "minimum", math.Inf(-1))
		hi := a.floatAt(1, "maximum", math.Inf(1))
		if lo > hi {
			a.fail("minimum %g is above maximum %g", lo, hi)
		}
		return NewClip(float32(lo), float32(hi)), a.done(2)
	}}
}

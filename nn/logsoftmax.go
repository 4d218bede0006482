package nn

import (
	"fmt"
	"math"

	"github.com/convnet/convnet/tensor"
)

// LogSoftmax is the logarithm of the softmax over the last axis, as ONNX
// LogSoftmax (axis -1) and PyTorch's LogSoftmax(dim=-1), computed stably:
//
//	out = x - max(x) - log Σ exp(x - max(x))     dx = dy - softmax(x)·Σdy
//
// in and out have the same shape.
type LogSoftmax struct{}

// NewLogSoftmax returns a log-softmax over the last axis.
func NewLogSoftmax() *LogSoftmax { return &LogSoftmax{} }

func (l *LogSoftmax) Type() string     { return "logsoftmax" }
func (l *LogSoftmax) Params() []*Param { return nil }

func (l *LogSoftmax) Build(in [][]int) ([]int, error) {
	if len(in) != 1 || len(in[0]) == 0 {
		return nil, fmt.Errorf("logsoftmax takes one input with at least one axis, gets %s", shapesString(in))
	}
	return append([]int(nil), in[0]...), nil
}

func (l *LogSoftmax) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x, y := in[0].Data, out.Data
	n := in[0].Dim(-1)
	for r := 0; r+n <= len(x); r += n {
		xr, yr := x[r:r+n], y[r:r+n]
		m := xr[0]
		for _, v := range xr[1:] {
			m = max(m, v)
		}
		var sum float64
		for _, v := range xr {
			sum += math.Exp(float64(v - m))
		}
		lse := float32(math.Log(sum))
		for i, v := range xr {
			yr[i] = v - m - lse
		}
	}
}

func (l *LogSoftmax) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	y, dy, dx := out.Data, dOut.Data, dIn[0].Data
	n := out.Dim(-1)
	for r := 0; r+n <= len(y); r += n {
		var sum float32
		for _, d := range dy[r : r+n] {
			sum += d
		}
		for i := r; i < r+n; i++ {
			dx[i] = dy[i] - float32(math.Exp(float64(y[i])))*sum
		}
	}
}

func init() {
	layerSpecs["logsoftmax"] = layerSpec{"logsoftmax  log of the softmax over the last axis", func(a *args) (Layer, error) {
		return NewLogSoftmax(), a.done(0)
	}}
}

package nn

import (
	"fmt"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// GlobalAvgPool averages each channel over all its spatial positions, as
// ONNX GlobalAveragePool (and PyTorch's AdaptiveAvgPool2d(1)):
//
//	out[n,c,0,0] = (1/(H·W)) Σ_{y,x} in[n,c,y,x]
//
// in is (N,C,H,W), or (N,C,D1,...) with any number of spatial axes; out
// keeps the rank with every spatial axis 1: (N,C,1,1). Backward spreads
// dy/(H·W) over the plane.
type GlobalAvgPool struct {
	plane int // spatial size H·W of one channel
	task  globalPoolTask
}

// globalPoolTask runs a global pooling kernel over a range of examples of
// c channels of hw values each; the layers keep one so kernel.Parallel
// allocates nothing.
type globalPoolTask struct {
	max, backward bool
	c, hw         int
	x, y          []float32 // forward: x (N,C,hw) → y (N,C); backward: dy → dx
	arg           []int32   // (N,C), max only
}

func (t *globalPoolTask) Run(_, lo, hi int) {
	c, hw := t.c, t.hw
	x, y := t.x[lo*c*hw:hi*c*hw], t.y[lo*c:hi*c]
	var arg []int32
	if t.max {
		arg = t.arg[lo*c : hi*c]
	}
	switch {
	case t.max && t.backward:
		kernel.GlobalMaxPoolBackward(y, arg, x, hw)
	case t.max:
		kernel.GlobalMaxPool(x, y, arg, hw)
	case t.backward:
		kernel.GlobalAvgPoolBackward(y, x, hw)
	default:
		kernel.GlobalAvgPool(x, y, hw)
	}
}

// NewGlobalAvgPool returns a global average pool.
func NewGlobalAvgPool() *GlobalAvgPool { return &GlobalAvgPool{} }

func (l *GlobalAvgPool) Type() string     { return "globalavgpool" }
func (l *GlobalAvgPool) Describe() string { return "globalavgpool" }
func (l *GlobalAvgPool) Params() []*Param { return nil }

func (l *GlobalAvgPool) Build(in [][]int) ([]int, error) {
	out, plane, err := buildGlobalPool("globalavgpool", in)
	l.plane = plane
	return out, err
}

func (l *GlobalAvgPool) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x := in[0]
	if x.Shape[0] == 0 {
		return
	}
	l.task = globalPoolTask{c: len(out.Data) / x.Shape[0], hw: l.plane, x: x.Data, y: out.Data}
	kernel.Parallel(x.Shape[0], &l.task)
}

func (l *GlobalAvgPool) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	dx := dIn[0]
	if dx == nil || out.Shape[0] == 0 {
		return
	}
	l.task = globalPoolTask{backward: true, c: len(out.Data) / out.Shape[0], hw: l.plane, x: dx.Data, y: dOut.Data}
	kernel.Parallel(out.Shape[0], &l.task)
}

// GlobalMaxPool takes each channel's maximum over all its spatial
// positions, as ONNX GlobalMaxPool (PyTorch's AdaptiveMaxPool2d(1)):
//
//	out[n,c,0,0] = max_{y,x} in[n,c,y,x]
//
// Shapes as GlobalAvgPool. Backward sends dy to the maximum's position
// (the first one on ties); the argmax of the last Forward is kept for it.
type GlobalMaxPool struct {
	plane int
	arg   []int32 // (N, C): argmax within each plane, reused
	task  globalPoolTask
}

// NewGlobalMaxPool returns a global max pool.
func NewGlobalMaxPool() *GlobalMaxPool { return &GlobalMaxPool{} }

func (l *GlobalMaxPool) Type() string     { return "globalmaxpool" }
func (l *GlobalMaxPool) Describe() string { return "globalmaxpool" }
func (l *GlobalMaxPool) Params() []*Param { return nil }

func (l *GlobalMaxPool) Build(in [][]int) ([]int, error) {
	out, plane, err := buildGlobalPool("globalmaxpool", in)
	l.plane = plane
	return out, err
}

func (l *GlobalMaxPool) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x, hw := in[0], l.plane
	if cap(l.arg) < len(out.Data) {
		l.arg = make([]int32, len(out.Data))
	}
	l.arg = l.arg[:len(out.Data)]
	if x.Shape[0] == 0 {
		return
	}
	l.task = globalPoolTask{max: true, c: len(out.Data) / x.Shape[0], hw: hw, x: x.Data, y: out.Data, arg: l.arg}
	kernel.Parallel(x.Shape[0], &l.task)
}

func (l *GlobalMaxPool) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	dx := dIn[0]
	if dx == nil || out.Shape[0] == 0 {
		return
	}
	l.task = globalPoolTask{max: true, backward: true, c: len(out.Data) / out.Shape[0], hw: l.plane, x: dx.Data, y: dOut.Data, arg: l.arg}
	kernel.Parallel(out.Shape[0], &l.task)
}

// buildGlobalPool checks for a (C, spatial...) input and returns the output
// shape (C, 1, ...) and the spatial size of one channel.
func buildGlobalPool(name string, in [][]int) ([]int, int, error) {
	if len(in) != 1 || len(in[0]) < 2 {
		return nil, 0, fmt.Errorf("%s expects an image input (C,H,W), gets %s", name, shapesString(in))
	}
	plane := tensor.Size(in[0][1:])
	if plane < 1 {
		return nil, 0, fmt.Errorf("%s: input %s has no pixels", name, tensor.ShapeString(in[0]))
	}
	out := make([]int, len(in[0]))
	out[0] = in[0][0]
	for i := 1; i < len(out); i++ {
		out[i] = 1
	}
	return out, plane, nil
}

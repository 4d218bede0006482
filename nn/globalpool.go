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
	x, hw := in[0], l.plane
	c := len(out.Data) / x.Shape[0]
	kernel.ParallelFor(x.Shape[0], func(_, lo, hi int) {
		kernel.GlobalAvgPool(x.Data[lo*c*hw:hi*c*hw], out.Data[lo*c:hi*c], hw)
	})
}

func (l *GlobalAvgPool) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	dx, hw := dIn[0], l.plane
	if dx == nil {
		return
	}
	c := len(out.Data) / out.Shape[0]
	kernel.ParallelFor(out.Shape[0], func(_, lo, hi int) {
		kernel.GlobalAvgPoolBackward(dOut.Data[lo*c:hi*c], dx.Data[lo*c*hw:hi*c*hw], hw)
	})
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
	arg := l.arg
	c := len(out.Data) / x.Shape[0]
	kernel.ParallelFor(x.Shape[0], func(_, lo, hi int) {
		kernel.GlobalMaxPool(x.Data[lo*c*hw:hi*c*hw], out.Data[lo*c:hi*c], arg[lo*c:hi*c], hw)
	})
}

func (l *GlobalMaxPool) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	dx, hw := dIn[0], l.plane
	if dx == nil {
		return
	}
	arg := l.arg
	c := len(out.Data) / out.Shape[0]
	kernel.ParallelFor(out.Shape[0], func(_, lo, hi int) {
		kernel.GlobalMaxPoolBackward(dOut.Data[lo*c:hi*c], arg[lo*c:hi*c], dx.Data[lo*c*hw:hi*c*hw], hw)
	})
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

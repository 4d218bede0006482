package nn

import (
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// AvgPool2D takes the mean over each window, as PyTorch's AvgPool2d and
// ONNX AveragePool:
//
//	out[n,c,y,x] = (1/div) Σ_{i<KH, j<KW} in[n, c, y·SH - PadT + i, x·SW - PadL + j]
//
// summing the taps inside the image. div is the number of those taps, or,
// with CountIncludePad, the window size including padding (PyTorch's
// count_include_pad; the overhang past the bottom/right padding that
// CeilMode can add is never counted, as in PyTorch). in is (N,C,H,W), out is
// (N,C,OH,OW) sized as in MaxPool2D (no dilation).
//
// Backward spreads each output gradient evenly, dy/div, over its window.
type AvgPool2D struct {
	KH, KW                 int
	SH, SW                 int
	PadT, PadL, PadB, PadR int
	CeilMode               bool
	CountIncludePad        bool

	geom kernel.PoolGeom
	task avgPoolTask
}

// avgPoolTask runs AvgPoolForward, or AvgPoolBackward with backward set,
// over a range of examples; the layer keeps it so kernel.Parallel allocates
// nothing.
type avgPoolTask struct {
	g          kernel.PoolGeom
	backward   bool
	includePad bool
	x, y       []float32 // forward: x → y; backward: dy → dx, x (N,C,H,W), y (N,C,OH,OW)
}

func (t *avgPoolTask) Run(_, lo, hi int) {
	g := t.g
	inSize, outSize := g.C*g.H*g.W, g.C*g.OH*g.OW
	for s := lo; s < hi; s++ {
		x, y := t.x[s*inSize:(s+1)*inSize], t.y[s*outSize:(s+1)*outSize]
		if t.backward {
			kernel.AvgPoolBackward(g, y, x, t.includePad)
		} else {
			kernel.AvgPoolForward(g, x, y, t.includePad)
		}
	}
}

// NewAvgPool2D returns a k×k average pool with stride k and no padding.
// Set the fields to change them.
func NewAvgPool2D(k int) *AvgPool2D {
	return &AvgPool2D{KH: k, KW: k, SH: k, SW: k}
}

func (l *AvgPool2D) Type() string { return "avgpool" }

// Describe prints the layer in the model text form, e.g. "avgpool(2)" or
// "avgpool(3,stride=1,pad=1,include_pad=true)".
func (l *AvgPool2D) Describe() string {
	extra := ""
	if l.CountIncludePad {
		extra = ",include_pad=true"
	}
	return describePool("avgpool", l.KH, l.KW, l.SH, l.SW, [4]int{l.PadT, l.PadL, l.PadB, l.PadR}, 1, 1, l.CeilMode, extra)
}

func (l *AvgPool2D) Build(in [][]int) ([]int, error) {
	g, err := buildPool(l.Describe(), in, l.KH, l.KW, l.SH, l.SW, [4]int{l.PadT, l.PadL, l.PadB, l.PadR}, 1, 1, l.CeilMode)
	if err != nil {
		return nil, err
	}
	l.geom = g
	return []int{g.C, g.OH, g.OW}, nil
}

func (l *AvgPool2D) Params() []*Param { return nil }

func (l *AvgPool2D) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x := in[0]
	l.task = avgPoolTask{g: l.geom, includePad: l.CountIncludePad, x: x.Data, y: out.Data}
	kernel.Parallel(x.Shape[0], &l.task)
}

func (l *AvgPool2D) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	dx := dIn[0]
	if dx == nil {
		return
	}
	l.task = avgPoolTask{g: l.geom, backward: true, includePad: l.CountIncludePad, x: dx.Data, y: dOut.Data}
	kernel.Parallel(in[0].Shape[0], &l.task)
}

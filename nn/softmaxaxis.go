package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// SoftmaxAxis is the softmax, or with Log its logarithm, over one axis of
// each example rather than the last, as ONNX Softmax and LogSoftmax with
// axis between the batch and the last (opset 13 and later) and PyTorch's
// softmax(x, dim) (per-pixel class scores over the channels):
//
//	in, out (N, S...), D = S[Axis]; along that axis, for every other index,
//	softmax:     y = exp(x - max x) / Σ exp(x - max x)    dx = y ⊙ (dy - Σ dy·y)
//	log-softmax: y = x - max x - log Σ exp(x - max x)     dx = dy - exp(y)·Σ dy
//
// Axis counts the per-example axes (0 is the one after the batch). The
// values are gathered into rows of D, run through the last-axis softmax
// (Activation "softmax") or LogSoftmax, and scattered back, so the results
// are those of the last-axis layers bit for bit.
type SoftmaxAxis struct {
	Axis int
	Log  bool

	index  []int32 // per-example row-layout element -> element of the example
	rows   Layer   // the last-axis layer run on the rows
	x, y   *tensor.Tensor
	dy, dx *tensor.Tensor
	in, di []*tensor.Tensor // one-element slices, kept so steps do not allocate
}

// NewSoftmaxAxis returns a softmax (log-softmax when log is set) over the
// per-example axis axis.
func NewSoftmaxAxis(axis int, log bool) *SoftmaxAxis { return &SoftmaxAxis{Axis: axis, Log: log} }

func (l *SoftmaxAxis) Type() string {
	if l.Log {
		return "logsoftmaxaxis"
	}
	return "softmaxaxis"
}

func (l *SoftmaxAxis) Describe() string { return fmt.Sprintf("%s(%d)", l.Type(), l.Axis) }
func (l *SoftmaxAxis) Params() []*Param { return nil }

func (l *SoftmaxAxis) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%s takes one input, gets %d", l.Type(), len(in))
	}
	s := in[0]
	if l.Axis < 0 || l.Axis >= len(s) {
		return nil, fmt.Errorf("%s: an example of shape %s has no axis %d", l.Describe(), tensor.ShapeString(s), l.Axis)
	}
	if err := checkIndexable(l.Type(), s); err != nil {
		return nil, err
	}
	// The row layout moves Axis last.
	stride := tensor.Strides(s)
	var shape, st []int
	for k := range s {
		if k != l.Axis {
			shape, st = append(shape, s[k]), append(st, stride[k])
		}
	}
	shape, st = append(shape, s[l.Axis]), append(st, stride[l.Axis])
	l.index = stridedIndex(shape, st)
	if l.Log {
		l.rows = NewLogSoftmax()
	} else {
		l.rows = MustActivation("softmax")
	}
	l.x, l.y, l.dy, l.dx = &tensor.Tensor{}, &tensor.Tensor{}, &tensor.Tensor{}, &tensor.Tensor{}
	l.in, l.di = make([]*tensor.Tensor, 1), make([]*tensor.Tensor, 1)
	return append([]int(nil), s...), nil
}

// gather copies src, (N, S...), into dst in row layout, (N·Size(S)/D, D).
func (l *SoftmaxAxis) gather(dst *tensor.Tensor, src []float32, d int) {
	per := len(l.index)
	dst.Resize(len(src)/max(d, 1), d)
	for off := 0; off+per <= len(src) && per > 0; off += per {
		se, de := src[off:off+per], dst.Data[off:off+per]
		for i, j := range l.index {
			de[i] = se[j]
		}
	}
}

// scatter copies src in row layout back into dst, (N, S...).
func (l *SoftmaxAxis) scatter(dst, src []float32) {
	per := len(l.index)
	for off := 0; off+per <= len(dst) && per > 0; off += per {
		se, de := src[off:off+per], dst[off:off+per]
		for i, j := range l.index {
			de[j] = se[i]
		}
	}
}

func (l *SoftmaxAxis) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	d := in[0].Shape[1+l.Axis]
	l.gather(l.x, in[0].Data, d)
	l.y.Resize(l.x.Shape...)
	l.in[0] = l.x
	l.rows.Forward(l.in, l.y, train)
	l.scatter(out.Data, l.y.Data)
}

func (l *SoftmaxAxis) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	d := out.Shape[1+l.Axis]
	l.gather(l.x, in[0].Data, d)
	l.gather(l.y, out.Data, d)
	l.gather(l.dy, dOut.Data, d)
	l.dx.Resize(l.x.Shape...)
	l.in[0], l.di[0] = l.x, l.dx
	l.rows.Backward(l.in, l.y, l.dy, l.di)
	l.scatter(dIn[0].Data, l.dx.Data)
}

// Clone returns an unbuilt softmax over the same axis.
func (l *SoftmaxAxis) Clone() Layer { return NewSoftmaxAxis(l.Axis, l.Log) }

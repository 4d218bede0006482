package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/convnet/convnet/tensor"
)

// DenseLast is a dense layer applied along the last axis of each example,
// at every position of the others, as ONNX MatMul of a (N, ..., In) value
// by a constant (In, Out) matrix (PyTorch's Linear on a sequence or on a
// channels-last map), with the Add of its bias:
//
//	out[n, …, o] = b[o] + Σ_i in[n, …, i] · w[o, i]
//
// in is (N, S..., In), w is (Out, In), b is (Out), out is (N, S..., Out).
// The rows of in go through Dense as one batch, so the weight gradient
// sums over every position.
type DenseLast struct {
	Dense *Dense

	x, y, dy, dx tensor.Tensor    // (rows, In) and (rows, Out) views of the batch
	in, di       []*tensor.Tensor // one-element slices, kept so steps do not allocate
}

// NewDenseLast returns a dense layer of out units over the last axis.
func NewDenseLast(out int) *DenseLast { return &DenseLast{Dense: NewDense(out)} }

func (l *DenseLast) Type() string     { return "denselast" }
func (l *DenseLast) Describe() string { return "denselast" + l.Dense.Describe()[len("dense"):] }
func (l *DenseLast) Params() []*Param { return l.Dense.Params() }

func (l *DenseLast) InitParams(rng *rand.Rand, act string) { l.Dense.InitParams(rng, act) }

func (l *DenseLast) Build(in [][]int) ([]int, error) {
	if len(in) != 1 || len(in[0]) == 0 {
		return nil, fmt.Errorf("%s takes one input with at least one axis, gets %s", l.Describe(), shapesString(in))
	}
	s := in[0]
	if _, err := l.Dense.Build([][]int{{s[len(s)-1]}}); err != nil {
		return nil, err
	}
	l.in, l.di = make([]*tensor.Tensor, 1), make([]*tensor.Tensor, 1)
	return append(append([]int(nil), s[:len(s)-1]...), l.Dense.Out), nil
}

// rowsView makes v a (rows, cols) view of data.
func rowsView(v *tensor.Tensor, data []float32, cols int) {
	v.Data = data
	v.Shape = append(v.Shape[:0], len(data)/max(cols, 1), cols)
}

func (l *DenseLast) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	k := in[0].Dim(-1)
	rowsView(&l.x, in[0].Data, k)
	rowsView(&l.y, out.Data, l.Dense.Out)
	l.in[0] = &l.x
	l.Dense.Forward(l.in, &l.y, train)
}

func (l *DenseLast) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	k := in[0].Dim(-1)
	rowsView(&l.x, in[0].Data, k)
	rowsView(&l.y, out.Data, l.Dense.Out)
	rowsView(&l.dy, dOut.Data, l.Dense.Out)
	l.in[0], l.di[0] = &l.x, nil
	if dIn[0] != nil {
		rowsView(&l.dx, dIn[0].Data, k)
		l.di[0] = &l.dx
	}
	l.Dense.Backward(l.in, &l.y, &l.dy, l.di)
}

// Clone returns an unbuilt copy whose parameters share the original's
// values (see Dense.Clone).
func (l *DenseLast) Clone() Layer { return &DenseLast{Dense: l.Dense.Clone().(*Dense)} }

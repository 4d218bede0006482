package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// Transpose permutes the axes of each example, as ONNX Transpose with the
// batch axis left first and PyTorch's permute:
//
//	in (N, S_0, …, S_{r-1}), out (N, S_Perm[0], …, S_Perm[r-1])
//	out[n, i_0, …, i_{r-1}] = in[n, j]  with  j_Perm[k] = i_k
//
// Perm lists per-example axes (0 is the axis after the batch). Backward
// applies the inverse permutation to dOut.
type Transpose struct {
	Perm []int

	index []int32 // per-example output element -> input element
}

// NewTranspose returns a transpose of each example's axes by perm.
func NewTranspose(perm ...int) *Transpose { return &Transpose{Perm: append([]int(nil), perm...)} }

func (l *Transpose) Type() string     { return "transpose" }
func (l *Transpose) Params() []*Param { return nil }

func (l *Transpose) Describe() string {
	return "transpose(" + joinInts(l.Perm, ",") + ")"
}

func (l *Transpose) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("transpose takes one input, gets %d", len(in))
	}
	s := in[0]
	if len(l.Perm) != len(s) {
		return nil, fmt.Errorf("%s does not permute the %d axes of %s", l.Describe(), len(s), tensor.ShapeString(s))
	}
	seen := make([]bool, len(s))
	for _, p := range l.Perm {
		if p < 0 || p >= len(s) || seen[p] {
			return nil, fmt.Errorf("%s is not a permutation of %d axes", l.Describe(), len(s))
		}
		seen[p] = true
	}
	if err := checkIndexable("transpose", s); err != nil {
		return nil, err
	}
	inStride := tensor.Strides(s)
	out, stride := make([]int, len(s)), make([]int, len(s))
	for i, p := range l.Perm {
		out[i], stride[i] = s[p], inStride[p]
	}
	l.index = stridedIndex(out, stride)
	return out, nil
}

func (l *Transpose) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x, y, per := in[0].Data, out.Data, len(l.index)
	for off := 0; off+per <= len(y) && per > 0; off += per {
		xe, ye := x[off:off+per], y[off:off+per]
		for i, j := range l.index {
			ye[i] = xe[j]
		}
	}
}

func (l *Transpose) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	dx, dy, per := dIn[0].Data, dOut.Data, len(l.index)
	for off := 0; off+per <= len(dy) && per > 0; off += per {
		dxe, dye := dx[off:off+per], dy[off:off+per]
		for i, j := range l.index {
			dxe[j] = dye[i]
		}
	}
}

// Clone returns an unbuilt transpose by the same permutation.
func (l *Transpose) Clone() Layer { return NewTranspose(l.Perm...) }

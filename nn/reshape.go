package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// Reshape gives each example a new shape holding the same values in the
// same order, as ONNX Reshape, Flatten, Squeeze and Unsqueeze on the axes
// after the batch, and PyTorch's view and reshape:
//
//	in (N, S...), out (N, Shape...), Size(S) = Size(Shape), out = in
//
// Backward copies dOut to dIn. Flatten is the case Shape = (Size(S)).
type Reshape struct {
	Shape []int
}

// NewReshape returns a reshape of each example to shape.
func NewReshape(shape ...int) *Reshape { return &Reshape{Shape: append([]int(nil), shape...)} }

func (l *Reshape) Type() string     { return "reshape" }
func (l *Reshape) Params() []*Param { return nil }

func (l *Reshape) Describe() string {
	return "reshape(" + joinInts(l.Shape, ",") + ")"
}

func (l *Reshape) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("reshape takes one input, gets %d", len(in))
	}
	for _, d := range l.Shape {
		if d < 1 {
			return nil, fmt.Errorf("%s: every dimension must be at least 1", l.Describe())
		}
	}
	if err := checkIndexable(l.Describe(), l.Shape); err != nil {
		return nil, err
	}
	if tensor.Size(l.Shape) != tensor.Size(in[0]) {
		return nil, fmt.Errorf("%s: an example of shape %s has %d values, not %d", l.Describe(),
			tensor.ShapeString(in[0]), tensor.Size(in[0]), tensor.Size(l.Shape))
	}
	return append([]int(nil), l.Shape...), nil
}

func (l *Reshape) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	copy(out.Data, in[0].Data)
}

func (l *Reshape) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] != nil {
		copy(dIn[0].Data, dOut.Data)
	}
}

// Clone returns an unbuilt reshape to the same shape.
func (l *Reshape) Clone() Layer { return NewReshape(l.Shape...) }

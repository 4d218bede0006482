package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// ConstBinary combines its input elementwise with a constant tensor, as the
// ONNX Add, Sub, Mul and Div nodes with an initializer operand that
// exporters write (input normalisation (x - mean) / std, scalings):
//
//	add: out = x + c    sub: out = x - c    rsub: out = c - x
//	mul: out = x · c    div: out = x / c    rdiv: out = c / x
//
// in and out are (N, S...); c broadcasts to S as numpy does (right-aligned,
// each dimension 1 or S's). c is not learned. Backward: dx = dy for add
// and sub, -dy for rsub, dy·c for mul, dy/c for div, -dy·c/x² for rdiv.
type ConstBinary struct {
	Op string
	C  *tensor.Tensor

	index []int32 // per-example element -> element of C
}

func (l *ConstBinary) Type() string     { return "const" + l.Op }
func (l *ConstBinary) Params() []*Param { return nil }

func (l *ConstBinary) Describe() string {
	return fmt.Sprintf("%s(const %s)", l.Op, tensor.ShapeString(l.C.Shape))
}

func (l *ConstBinary) Build(in [][]int) ([]int, error) {
	switch l.Op {
	case "add", "sub", "rsub", "mul", "div", "rdiv":
	default:
		return nil, fmt.Errorf("unknown constant operation %q", l.Op)
	}
	if len(in) != 1 {
		return nil, fmt.Errorf("%s takes one input, gets %d", l.Describe(), len(in))
	}
	s, c := in[0], l.C.Shape
	if len(c) > len(s) {
		return nil, fmt.Errorf("%s does not broadcast to %s", l.Describe(), tensor.ShapeString(s))
	}
	// Strides of C along the input's axes, 0 where C repeats.
	stride := make([]int, len(s))
	step := 1
	for i := len(s) - 1; i >= 0; i-- {
		j := i - (len(s) - len(c))
		if j < 0 {
			continue
		}
		switch c[j] {
		case s[i]:
			stride[i] = step
		case 1:
		default:
			return nil, fmt.Errorf("%s does not broadcast to %s", l.Describe(), tensor.ShapeString(s))
		}
		step *= c[j]
	}
	n := tensor.Size(s)
	l.index = make([]int32, n)
	idx := make([]int, len(s))
	ci := 0
	for i := 0; i < n; i++ {
		l.index[i] = int32(ci)
		for k := len(s) - 1; k >= 0; k-- {
			idx[k]++
			ci += stride[k]
			if idx[k] < s[k] {
				break
			}
			ci -= stride[k] * s[k]
			idx[k] = 0
		}
	}
	return append([]int(nil), s...), nil
}

func (l *ConstBinary) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x, y, c, per := in[0].Data, out.Data, l.C.Data, len(l.index)
	for i, v := range x {
		k := c[l.index[i%per]]
		switch l.Op {
		case "add":
			y[i] = v + k
		case "sub":
			y[i] = v - k
		case "rsub":
			y[i] = k - v
		case "mul":
			y[i] = v * k
		case "div":
			y[i] = v / k
		case "rdiv":
			y[i] = k / v
		}
	}
}

func (l *ConstBinary) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	x, dy, dx, c, per := in[0].Data, dOut.Data, dIn[0].Data, l.C.Data, len(l.index)
	for i, d := range dy {
		k := c[l.index[i%per]]
		switch l.Op {
		case "add", "sub":
			dx[i] = d
		case "rsub":
			dx[i] = -d
		case "mul":
			dx[i] = d * k
		case "div":
			dx[i] = d / k
		case "rdiv":
			dx[i] = -d * k / (x[i] * x[i])
		}
	}
}

package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// Binary combines two computed tensors elementwise, broadcasting as numpy
// does, as ONNX Add, Sub, Mul and Div whose operands both depend on the
// input (gating x·σ(y), centring x - mean(x), attention scores):
//
//	a (N, A...), b (N, B...), A and B of one rank, each axis equal or 1
//	out (N, O...), O_k = max(A_k, B_k)
//	add: a + b    sub: a - b    mul: a·b    div: a / b
//
// The batch axes pair up; the other axes of size 1 repeat. Backward sums
// over the repeated axes: da = Σ dy·∂out/∂a and db = Σ dy·∂out/∂b, with
// ∂out/∂a = 1, 1, b, 1/b and ∂out/∂b = 1, -1, a, -a/b².
type Binary struct {
	Op string // "add", "sub", "mul" or "div"

	ia, ib []int32 // per-example output element -> element of a, of b
}

// NewBinary returns the elementwise operation op of two inputs.
func NewBinary(op string) *Binary { return &Binary{Op: op} }

func (l *Binary) Type() string     { return l.Op }
func (l *Binary) Describe() string { return l.Op }
func (l *Binary) Params() []*Param { return nil }

func (l *Binary) Build(in [][]int) ([]int, error) {
	switch l.Op {
	case "add", "sub", "mul", "div":
	default:
		return nil, fmt.Errorf("unknown elementwise operation %q (want add, sub, mul or div)", l.Op)
	}
	if len(in) != 2 {
		return nil, fmt.Errorf("%s takes two inputs, gets %d", l.Op, len(in))
	}
	a, b := in[0], in[1]
	if len(a) != len(b) {
		return nil, fmt.Errorf("%s: inputs of shapes %s and %s have different ranks; broadcasting would pair the batch axis with another", l.Op, tensor.ShapeString(a), tensor.ShapeString(b))
	}
	out := make([]int, len(a))
	for k := range a {
		switch {
		case a[k] == b[k] || b[k] == 1:
			out[k] = a[k]
		case a[k] == 1:
			out[k] = b[k]
		default:
			return nil, fmt.Errorf("%s: inputs of shapes %s and %s do not broadcast", l.Op, tensor.ShapeString(a), tensor.ShapeString(b))
		}
	}
	if err := checkIndexable(l.Op, out); err != nil {
		return nil, err
	}
	l.ia, l.ib = stridedIndex(out, broadcastStrides(a)), stridedIndex(out, broadcastStrides(b))
	return out, nil
}

// broadcastStrides is tensor.Strides with 0 for the axes of size 1.
func broadcastStrides(shape []int) []int {
	st := tensor.Strides(shape)
	for k, d := range shape {
		if d == 1 {
			st[k] = 0
		}
	}
	return st
}

func (l *Binary) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	y, per, n := out.Data, len(l.ia), out.Shape[0]
	if per == 0 || n == 0 {
		return
	}
	perA, perB := len(in[0].Data)/n, len(in[1].Data)/n
	for e := 0; (e+1)*per <= len(y); e++ {
		a, b, ye := in[0].Data[e*perA:(e+1)*perA], in[1].Data[e*perB:(e+1)*perB], y[e*per:(e+1)*per]
		switch l.Op {
		case "add":
			for i := range ye {
				ye[i] = a[l.ia[i]] + b[l.ib[i]]
			}
		case "sub":
			for i := range ye {
				ye[i] = a[l.ia[i]] - b[l.ib[i]]
			}
		case "mul":
			for i := range ye {
				ye[i] = a[l.ia[i]] * b[l.ib[i]]
			}
		case "div":
			for i := range ye {
				ye[i] = a[l.ia[i]] / b[l.ib[i]]
			}
		}
	}
}

func (l *Binary) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	dy, per := dOut.Data, len(l.ia)
	for _, d := range dIn {
		if d != nil {
			clear(d.Data)
		}
	}
	n := dOut.Shape[0]
	if per == 0 || n == 0 {
		return
	}
	perA, perB := len(in[0].Data)/n, len(in[1].Data)/n
	for e := 0; (e+1)*per <= len(dy); e++ {
		a, b, dye := in[0].Data[e*perA:(e+1)*perA], in[1].Data[e*perB:(e+1)*perB], dy[e*per:(e+1)*per]
		if da := dIn[0]; da != nil {
			dae := da.Data[e*perA : (e+1)*perA]
			for i, g := range dye {
				switch l.Op {
				case "add", "sub":
				case "mul":
					g *= b[l.ib[i]]
				case "div":
					g /= b[l.ib[i]]
				}
				dae[l.ia[i]] += g
			}
		}
		if db := dIn[1]; db != nil {
			dbe := db.Data[e*perB : (e+1)*perB]
			for i, g := range dye {
				switch l.Op {
				case "add":
				case "sub":
					g = -g
				case "mul":
					g *= a[l.ia[i]]
				case "div":
					bv := b[l.ib[i]]
					g = -g * a[l.ia[i]] / (bv * bv)
				}
				dbe[l.ib[i]] += g
			}
		}
	}
}

// Clone returns an unbuilt operation of the same kind.
func (l *Binary) Clone() Layer { return NewBinary(l.Op) }

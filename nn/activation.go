package nn

import (
	"fmt"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// Activation is an elementwise activation function without parameters:
// relu, leakyrelu (slope Alpha, default 0.01), elu (Alpha, default 1), selu,
// gelu (exact erf form), silu, sigmoid, tanh; and softmax over the last
// axis. The output has the input's shape. See internal/kernel for each
// function's formula and derivative.
type Activation struct {
	Kind  string
	Alpha float32

	task activationTask
}

// activationTask runs the activation, forward or backward, over a range of
// chunks of the flattened tensors. The layer keeps it, so handing it to
// kernel.Parallel allocates nothing.
type activationTask struct {
	l            *Activation
	backward     bool
	x, y, dy, dx []float32
	last         int // size of the last axis, whose rows softmax keeps whole
}

func (t *activationTask) Run(_, lo, hi int) {
	n := len(t.x)
	a, b := min(lo*chunk, n), min(hi*chunk, n)
	if t.l.Kind == "softmax" {
		// Keep whole rows in one chunk.
		a, b = a/t.last*t.last, b/t.last*t.last
		if hi*chunk >= n {
			b = n
		}
	}
	if t.backward {
		t.l.backward(t.x[a:b], t.y[a:b], t.dy[a:b], t.dx[a:b], t.last)
	} else {
		t.l.forward(t.x[a:b], t.y[a:b], t.last)
	}
}

// NewActivation returns the activation named kind with its default
// parameter, or an error naming the known kinds.
func NewActivation(kind string) (*Activation, error) {
	switch kind {
	case "relu", "selu", "gelu", "silu", "sigmoid", "tanh", "softmax":
		return &Activation{Kind: kind}, nil
	case "leakyrelu":
		return &Activation{Kind: kind, Alpha: 0.01}, nil
	case "elu":
		return &Activation{Kind: kind, Alpha: 1}, nil
	}
	return nil, fmt.Errorf("unknown activation %q (want relu, leakyrelu, elu, selu, gelu, silu, sigmoid, tanh or softmax; prelu is a layer with parameters)", kind)
}

// MustActivation is NewActivation for code that names a known kind.
func MustActivation(kind string) *Activation {
	a, err := NewActivation(kind)
	if err != nil {
		panic("nn: " + err.Error())
	}
	return a
}

func (l *Activation) Type() string { return l.Kind }

func (l *Activation) Describe() string {
	def, _ := NewActivation(l.Kind)
	if def != nil && def.Alpha != l.Alpha {
		return fmt.Sprintf("%s(%g)", l.Kind, l.Alpha)
	}
	return l.Kind
}

func (l *Activation) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%s takes one input, gets %d", l.Kind, len(in))
	}
	if l.Kind == "softmax" && len(in[0]) == 0 {
		return nil, fmt.Errorf("softmax needs at least one axis")
	}
	return append([]int(nil), in[0]...), nil
}

func (l *Activation) Params() []*Param { return nil }

func (l *Activation) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x := in[0].Data
	l.task = activationTask{l: l, x: x, y: out.Data, last: in[0].Dim(-1)}
	kernel.Parallel(len(x)/chunk+1, &l.task)
}

// chunk is how many elements one worker takes at a time in elementwise loops.
const chunk = 1 << 14

func (l *Activation) forward(x, y []float32, last int) {
	switch l.Kind {
	case "relu":
		kernel.ReLUForward(x, y)
	case "leakyrelu":
		kernel.LeakyReLUForward(x, y, l.Alpha)
	case "elu":
		kernel.ELUForward(x, y, l.Alpha)
	case "selu":
		kernel.SELUForward(x, y)
	case "gelu":
		kernel.GELUForward(x, y)
	case "silu":
		kernel.SiLUForward(x, y)
	case "sigmoid":
		kernel.SigmoidForward(x, y)
	case "tanh":
		kernel.TanhForward(x, y)
	case "softmax":
		kernel.SoftmaxRows(x, y, last)
	default:
		panic("nn: unknown activation " + l.Kind)
	}
}

func (l *Activation) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	x := in[0].Data
	l.task = activationTask{l: l, backward: true, x: x, y: out.Data, dy: dOut.Data, dx: dIn[0].Data, last: in[0].Dim(-1)}
	kernel.Parallel(len(x)/chunk+1, &l.task)
}

func (l *Activation) backward(x, y, dy, dx []float32, last int) {
	switch l.Kind {
	case "relu":
		kernel.ReLUBackward(x, dy, dx)
	case "leakyrelu":
		kernel.LeakyReLUBackward(x, dy, dx, l.Alpha)
	case "elu":
		kernel.ELUBackward(x, y, dy, dx, l.Alpha)
	case "selu":
		kernel.SELUBackward(x, y, dy, dx)
	case "gelu":
		kernel.GELUBackward(x, dy, dx)
	case "silu":
		kernel.SiLUBackward(x, dy, dx)
	case "sigmoid":
		kernel.SigmoidBackward(y, dy, dx)
	case "tanh":
		kernel.TanhBackward(y, dy, dx)
	case "softmax":
		kernel.SoftmaxRowsBackward(y, dy, dx, last)
	}
}

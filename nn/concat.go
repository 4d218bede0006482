package nn

import (
	"fmt"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// Concat joins its inputs along the channel axis, as ONNX Concat with
// axis=1 and torch.cat(dim=1) (Inception and DenseNet blocks):
//
//	out[n] = [in₀[n]; in₁[n]; …]   along axis 1
//
// in_k is (N, C_k, D1, ...), every input with the same trailing dims; out is
// (N, ΣC_k, D1, ...). Backward hands each input its slice of dOut.
type Concat struct {
	sizes []int // per-example element count of each input
	task  concatTask
}

// concatTask copies a range of examples between the inputs and the output,
// joining them forward and splitting dOut backward; the layer keeps it so
// kernel.Parallel allocates nothing.
type concatTask struct {
	l        *Concat
	backward bool
	parts    []*tensor.Tensor // forward: the inputs; backward: their gradients (nil entries skipped)
	whole    []float32        // forward: out; backward: dOut
	total    int              // per-example element count of out
}

func (t *concatTask) Run(_, lo, hi int) {
	for s := lo; s < hi; s++ {
		off := s * t.total
		for k, p := range t.parts {
			n := t.l.sizes[k]
			switch {
			case p == nil:
			case t.backward:
				copy(p.Data[s*n:(s+1)*n], t.whole[off:off+n])
			default:
				copy(t.whole[off:off+n], p.Data[s*n:(s+1)*n])
			}
			off += n
		}
	}
}

// NewConcat returns a channel concatenation of two or more inputs.
func NewConcat() *Concat { return &Concat{} }

func (l *Concat) Type() string     { return "concat" }
func (l *Concat) Describe() string { return "concat" }
func (l *Concat) Params() []*Param { return nil }

func (l *Concat) Build(in [][]int) ([]int, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("concat needs at least two inputs, gets %d", len(in))
	}
	if len(in[0]) < 1 {
		return nil, fmt.Errorf("concat: input 1 %s has no channel axis", tensor.ShapeString(in[0]))
	}
	out := append([]int(nil), in[0]...)
	for i, s := range in[1:] {
		if len(s) != len(in[0]) || !tensor.EqualShape(s[1:], in[0][1:]) {
			return nil, fmt.Errorf("concat: input %d has shape %s but input 1 has %s; all dims but the channels (the first) must match",
				i+2, tensor.ShapeString(s), tensor.ShapeString(in[0]))
		}
		out[0] += s[0]
	}
	l.sizes = l.sizes[:0]
	for _, s := range in {
		l.sizes = append(l.sizes, tensor.Size(s))
	}
	return out, nil
}

func (l *Concat) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	if out.Shape[0] == 0 {
		return
	}
	l.task = concatTask{l: l, parts: in, whole: out.Data, total: len(out.Data) / out.Shape[0]}
	kernel.Parallel(out.Shape[0], &l.task)
}

func (l *Concat) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if out.Shape[0] == 0 {
		return
	}
	l.task = concatTask{l: l, backward: true, parts: dIn, whole: dOut.Data, total: len(out.Data) / out.Shape[0]}
	kernel.Parallel(out.Shape[0], &l.task)
}

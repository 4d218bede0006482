package nn

import (
	"fmt"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// MatMul multiplies two computed tensors as stacks of matrices, example by
// example, as ONNX MatMul (numpy's matmul) of two values that both carry the
// batch axis: x·xᵀ, attention's scores q·kᵀ and its weighted sum s·v.
//
//	a (N, La..., M, K), b (N, Lb..., K, P), La and Lb of one rank, each axis equal or 1
//	out (N, L..., M, P), L_j = max(La_j, Lb_j)
//	out[n, l] = a[n, l_a] · b[n, l_b]    an (M×K)·(K×P) product for each n and l
//
// where l_a and l_b are l with the axes of size 1 in La, in Lb held at 0:
// the leading axes broadcast as in numpy, and the batch axes pair up.
// Each example must be a matrix or a stack of them (rank 2 or more): numpy
// promotes a 1-D operand to a matrix, but with the batch axis in front a
// (N, K) operand is itself a matrix whose rows are the examples, and
// multiplying by it would mix them. Backward sums over the positions that
// read one matrix:
//
//	da[n, i] = Σ_{l : l_a = i} dy[n, l] · b[n, l_b]ᵀ
//	db[n, j] = Σ_{l : l_b = j} a[n, l_a]ᵀ · dy[n, l]
//
// Every product goes through kernel.Sgemm; Forward spreads the output
// matrices over the threads and Backward the examples.
// Source: https://onnx.ai/onnx/operators/onnx__MatMul.html.
type MatMul struct {
	m, k, p      int     // the matrices are M×K, K×P and M×P
	sizeA, sizeB int     // values per example of a and b
	mats         int     // output matrices per example, the size of L
	ia, ib       []int32 // per output matrix of an example: the matrix of a, of b it reads
	task         matmulTask
}

// NewMatMul returns the matrix product of two inputs.
func NewMatMul() *MatMul { return &MatMul{} }

func (l *MatMul) Type() string     { return "matmul" }
func (l *MatMul) Describe() string { return "matmul" }
func (l *MatMul) Params() []*Param { return nil }

func (l *MatMul) Build(in [][]int) ([]int, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("matmul takes two inputs, gets %d", len(in))
	}
	a, b := in[0], in[1]
	shapes := tensor.ShapeString(a) + " and " + tensor.ShapeString(b)
	if len(a) != len(b) {
		return nil, fmt.Errorf("matmul: inputs of shapes %s have different ranks; broadcasting would pair the batch axis with another", shapes)
	}
	if len(a) < 2 {
		return nil, fmt.Errorf("matmul: inputs of shapes %s: each example must be a matrix or a stack of them; a batch of vectors is one matrix whose rows are the examples", shapes)
	}
	r := len(a)
	m, k, k2, p := a[r-2], a[r-1], b[r-2], b[r-1]
	if k != k2 {
		return nil, fmt.Errorf("matmul: inputs of shapes %s do not multiply: rows of %d values against columns of %d", shapes, k, k2)
	}
	lead, ok := broadcastLeading(a[:r-2], b[:r-2])
	if !ok {
		return nil, fmt.Errorf("matmul: inputs of shapes %s: the axes before the matrices do not broadcast", shapes)
	}
	out := append(lead, m, p)
	if err := checkIndexable("matmul", out); err != nil {
		return nil, err
	}
	if err := checkIndexable("matmul", lead); err != nil {
		return nil, err
	}
	l.m, l.k, l.p = m, k, p
	l.sizeA, l.sizeB = tensor.Size(a), tensor.Size(b)
	l.ia, l.ib = stridedIndex(lead, broadcastStrides(a[:r-2])), stridedIndex(lead, broadcastStrides(b[:r-2]))
	l.mats = len(l.ia)
	return out, nil
}

// broadcastLeading is the numpy broadcast of two shapes of one rank.
func broadcastLeading(a, b []int) ([]int, bool) {
	out := make([]int, len(a), len(a)+2)
	for j := range a {
		switch {
		case a[j] == b[j] || b[j] == 1:
			out[j] = a[j]
		case a[j] == 1:
			out[j] = b[j]
		default:
			return nil, false
		}
	}
	return out, true
}

func (l *MatMul) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	l.task = matmulTask{l: l, a: in[0].Data, b: in[1].Data, y: out.Data}
	kernel.Parallel(out.Shape[0]*l.mats, &l.task)
}

func (l *MatMul) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	l.task = matmulTask{l: l, backward: true, a: in[0].Data, b: in[1].Data, dy: dOut.Data}
	if dIn[0] != nil {
		l.task.da = dIn[0].Data
	}
	if dIn[1] != nil {
		l.task.db = dIn[1].Data
	}
	if l.task.da == nil && l.task.db == nil {
		return
	}
	kernel.Parallel(dOut.Shape[0], &l.task)
}

// matmulTask runs Forward over output matrices (example n's matrix q is
// item n·mats + q) and Backward over examples, since an example's
// broadcast input matrices gather the gradients of several of its outputs.
type matmulTask struct {
	l                   *MatMul
	backward            bool
	a, b, y, dy, da, db []float32 // da or db nil: that gradient is not wanted
}

func (t *matmulTask) Run(_, lo, hi int) {
	l := t.l
	m, k, p := l.m, l.k, l.p
	// Leading dimensions of at least 1, as Sgemm asks even of empty matrices.
	ldk, ldp := max(k, 1), max(p, 1)
	if !t.backward {
		for it := lo; it < hi; it++ {
			n, q := it/l.mats, it%l.mats
			a := t.a[n*l.sizeA+int(l.ia[q])*m*k:]
			b := t.b[n*l.sizeB+int(l.ib[q])*k*p:]
			y := t.y[it*m*p:]
			kernel.Sgemm(false, false, m, p, k, 1, a, ldk, b, ldp, 0, y, ldp)
		}
		return
	}
	per := l.mats * m * p
	for n := lo; n < hi; n++ {
		a, b := t.a[n*l.sizeA:(n+1)*l.sizeA], t.b[n*l.sizeB:(n+1)*l.sizeB]
		var da, db []float32
		if t.da != nil {
			da = t.da[n*l.sizeA : (n+1)*l.sizeA]
			clear(da)
		}
		if t.db != nil {
			db = t.db[n*l.sizeB : (n+1)*l.sizeB]
			clear(db)
		}
		for q := range l.mats {
			dy := t.dy[n*per+q*m*p:]
			oa, ob := int(l.ia[q])*m*k, int(l.ib[q])*k*p
			if da != nil {
				kernel.Sgemm(false, true, m, k, p, 1, dy, ldp, b[ob:], ldp, 1, da[oa:], ldk)
			}
			if db != nil {
				kernel.Sgemm(true, false, k, p, m, 1, a[oa:], ldk, dy, ldp, 1, db[ob:], ldp)
			}
		}
	}
}

// Clone returns an unbuilt matrix product; it has no parameters to share.
func (l *MatMul) Clone() Layer { return NewMatMul() }

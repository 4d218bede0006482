package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// Dense is a fully connected layer, PyTorch's Linear and ONNX's Gemm with
// transB=1:
//
//	out[n,o] = b[o] + Σ_i in[n,i] · w[o,i]
//
// in is (N, In), w is (Out, In), b is (Out), out is (N, Out). Its input must
// be flat: put flatten before it after conv or pooling layers.
type Dense struct {
	Out    int
	In     int // expected inputs; 0 takes whatever the previous layer gives
	NoBias bool
	Init   InitScheme

	W, B  *Param
	task  denseTask
	whole bool // a shard replica's: products run whole, not split (see wholeInShard)
}

// denseTask is one of the layer's three products split over rows or
// columns; the layer keeps it so kernel.Parallel allocates nothing.
type denseTask struct {
	l       *Dense
	op      int // denseForward, denseWeightGrad or denseInputGrad
	n, k    int // batch and input size
	x, y, d []float32
}

const (
	denseForward       = iota // y (N × Out) = x (N × In) · wᵀ [+ b], over rows of y
	denseWeightGrad           // dW (Out × In) = dOutᵀ (Out × N) · x (N × In), over rows of dW; d is dOut
	denseInputGrad            // dx (N × In) = dOut (N × Out) · w (Out × In), over rows of dx; d is dOut, y is dx
	denseForwardCols          // denseForward over columns of y: each thread takes some units
	denseInputGradCols        // denseInputGrad over columns of dx: each thread takes some inputs
)

// minColsPerThread is the fewest columns of the product a thread takes when
// a dense layer splits its forward pass over units (or its input gradient
// over inputs) rather than over examples. Split over examples, every thread
// packs the whole weight matrix for a few rows; split over columns, each
// packs only its share, which for big layers is most of the cost: measured
// on 2 threads, a 3136→1024 layer took 1.1 ms instead of 4.2 ms at batch 16
// and 3.2 ms instead of 6.6 ms at batch 64, while LeNet-5's 400→120 (60
// units a thread) ran as fast either way. Two 32-wide tiles a thread keep
// the micro-kernel busy.
const minColsPerThread = 64

// splitCols reports whether a product with cols columns of output goes
// over columns.
func splitCols(cols int) bool {
	return cols >= minColsPerThread*kernel.Workers(cols)
}

func (t *denseTask) Run(_, lo, hi int) {
	l, k := t.l, t.k
	switch t.op {
	case denseForward:
		o := t.y[lo*l.Out : hi*l.Out]
		beta := float32(0)
		if l.B != nil {
			for r := 0; r < hi-lo; r++ {
				copy(o[r*l.Out:(r+1)*l.Out], l.B.Value.Data)
			}
			beta = 1
		}
		kernel.Sgemm(false, true, hi-lo, l.Out, k, 1, t.x[lo*k:hi*k], k, l.W.Value.Data, k, beta, o, l.Out)
	case denseForwardCols:
		o := t.y[lo:]
		beta := float32(0)
		if l.B != nil {
			for r := 0; r < t.n; r++ {
				copy(o[r*l.Out:r*l.Out+hi-lo], l.B.Value.Data[lo:hi])
			}
			beta = 1
		}
		kernel.Sgemm(false, true, t.n, hi-lo, k, 1, t.x, k, l.W.Value.Data[lo*k:hi*k], k, beta, o, l.Out)
	case denseInputGradCols:
		kernel.Sgemm(false, false, t.n, hi-lo, l.Out, 1, t.d, l.Out, l.W.Value.Data[lo:], k, 0, t.y[lo:], k)
	case denseWeightGrad:
		kernel.Sgemm(true, false, hi-lo, k, t.n, 1, t.d[lo:], l.Out, t.x, k, 0, l.W.Grad.Data[lo*k:hi*k], k)
	case denseInputGrad:
		kernel.Sgemm(false, false, hi-lo, k, l.Out, 1, t.d[lo*l.Out:hi*l.Out], l.Out, l.W.Value.Data, k, 0, t.y[lo*k:hi*k], k)
	}
}

// NewDense returns a dense layer with out units and a bias.
func NewDense(out int) *Dense { return &Dense{Out: out} }

func (l *Dense) Type() string { return "dense" }

func (l *Dense) Describe() string {
	s := fmt.Sprintf("dense(%d", l.Out)
	if l.In != 0 {
		s += fmt.Sprintf(",in=%d", l.In)
	}
	if l.NoBias {
		s += ",bias=false"
	}
	if l.Init != InitAuto {
		s += ",init=" + string(l.Init)
	}
	return s + ")"
}

func (l *Dense) Build(in [][]int) ([]int, error) {
	if l.Out < 1 {
		return nil, fmt.Errorf("%s: needs at least 1 unit", l.Describe())
	}
	if len(in) != 1 {
		return nil, fmt.Errorf("%s takes one input, gets %d", l.Describe(), len(in))
	}
	if len(in[0]) != 1 {
		return nil, fmt.Errorf("%s expects a flat input, gets %s: put flatten before it", l.Describe(), tensor.ShapeString(in[0]))
	}
	n := in[0][0]
	if l.In != 0 && l.In != n {
		return nil, fmt.Errorf("dense(%d) expects %d inputs, gets %d", l.Out, l.In, n)
	}
	if l.W == nil || !tensor.EqualShape(l.W.Value.Shape, []int{l.Out, n}) || (l.B == nil) != l.NoBias {
		l.W = NewParam("weight", l.Out, n)
		l.B = nil
		if !l.NoBias {
			l.B = NewParam("bias", l.Out)
			l.B.NoDecay = true
		}
	}
	return []int{l.Out}, nil
}

func (l *Dense) Params() []*Param {
	if l.B == nil {
		return []*Param{l.W}
	}
	return []*Param{l.W, l.B}
}

func (l *Dense) InitParams(rng *rand.Rand, act string) {
	fillWeights(l.W.Value.Data, l.Init.resolve(act), l.W.Value.Shape[1], l.Out, rng)
	if l.B != nil {
		l.B.Value.Zero()
	}
}

func (l *Dense) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x := in[0]
	n, k := x.Shape[0], x.Shape[1]
	l.task = denseTask{l: l, op: denseForward, n: n, k: k, x: x.Data, y: out.Data}
	if splitCols(l.Out) {
		l.task.op = denseForwardCols
		l.run(l.Out)
		return
	}
	l.run(n)
}

// run runs l.task over [0, n): split over the threads, or in one piece in
// a shard replica, where the pieces would run one after another.
func (l *Dense) run(n int) {
	if l.whole {
		l.task.Run(0, 0, n)
		return
	}
	kernel.Parallel(n, &l.task)
}

func (l *Dense) setWhole() { l.whole = true }

func (l *Dense) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	x := in[0]
	n, k := x.Shape[0], x.Shape[1]
	if n == 0 {
		l.W.Grad.Zero()
		if l.B != nil {
			l.B.Grad.Zero()
		}
		return
	}
	l.task = denseTask{l: l, op: denseWeightGrad, n: n, k: k, x: x.Data, d: dOut.Data}
	l.run(l.Out)
	if l.B != nil {
		db := l.B.Grad.Data
		clear(db)
		for r := 0; r < n; r++ {
			addInto(db, dOut.Data[r*l.Out:(r+1)*l.Out])
		}
	}
	if dIn[0] == nil {
		return
	}
	l.task = denseTask{l: l, op: denseInputGrad, n: n, k: k, y: dIn[0].Data, d: dOut.Data}
	if splitCols(k) {
		l.task.op = denseInputGradCols
		l.run(k)
		return
	}
	l.run(n)
}

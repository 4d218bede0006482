package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// BatchNorm2D normalises each channel over the batch and spatial positions
// and applies a learned scale and shift (Ioffe & Szegedy 2015), as PyTorch's
// BatchNorm2d and ONNX BatchNormalization:
//
//	x̂ = (x - μ_c) / √(σ²_c + Eps),   out = γ_c · x̂ + β_c
//
// in is (N,C,H,W), or (N,C) for flat features (BatchNorm1d), or (N,C,L);
// out has the same shape; γ ("weight") and β ("bias") are (C).
//
// Training uses the batch statistics over the M = N·H·W values of each
// channel, μ = mean and σ² = the biased variance (divided by M), and updates
// the running statistics kept as state with the unbiased variance, as
// PyTorch does:
//
//	running_mean = (1-Momentum)·running_mean + Momentum·μ
//	running_var  = (1-Momentum)·running_var  + Momentum·σ²·M/(M-1)
//
// (with M = 1 the biased variance is used, where PyTorch refuses to train).
// Evaluation uses the running statistics. Backward in training goes through
// μ and σ²:
//
//	dx = γ/(M·√(σ²+Eps)) · (M·dy - Σdy - x̂·Σ(dy·x̂)),   dγ = Σ dy·x̂,   dβ = Σ dy
//
// and after an evaluation Forward it is the affine map dx = γ·dy/√(var+Eps).
type BatchNorm2D struct {
	Momentum float64 // weight of the new batch in the running statistics, 0.1 as PyTorch
	Eps      float64 // added to the variance, 1e-5 as PyTorch

	Gamma, Beta             *Param // (C): "weight" (init 1), "bias" (init 0)
	RunningMean, RunningVar *Param // (C): state, not learned

	c, inner int       // channels and values per channel per example
	mean     []float32 // (C): μ used by the last Forward (batch or running)
	invStd   []float32 // (C): 1/√(σ²+Eps) used by the last Forward
	batch    bool      // whether the last Forward used batch statistics
	task     batchNormTask
}

// batchNormTask runs Forward's or Backward's per-channel loop over a range
// of channels; the layer keeps it so kernel.Parallel allocates nothing.
type batchNormTask struct {
	l               *BatchNorm2D
	backward, train bool
	n               int
	x, y, dy, dx    []float32
}

func (t *batchNormTask) Run(_, lo, hi int) {
	for ch := lo; ch < hi; ch++ {
		if t.backward {
			t.l.backwardChannel(t.x, t.dy, t.dx, t.n, ch)
		} else {
			t.l.forwardChannel(t.x, t.y, t.n, ch, t.train)
		}
	}
}

// NewBatchNorm2D returns a batch-norm layer with PyTorch's defaults:
// momentum 0.1, eps 1e-5. The channel count comes from the input.
func NewBatchNorm2D() *BatchNorm2D { return &BatchNorm2D{Momentum: 0.1, Eps: 1e-5} }

func (l *BatchNorm2D) Type() string { return "batchnorm" }

// Describe prints "batchnorm", with eps and momentum when they differ from
// PyTorch's defaults.
func (l *BatchNorm2D) Describe() string {
	s := ""
	if l.Eps != 1e-5 {
		s += fmt.Sprintf(",eps=%g", l.Eps)
	}
	if l.Momentum != 0.1 {
		s += fmt.Sprintf(",momentum=%g", l.Momentum)
	}
	if s == "" {
		return "batchnorm"
	}
	return "batchnorm(" + s[1:] + ")"
}

func (l *BatchNorm2D) Build(in [][]int) ([]int, error) {
	if len(in) != 1 || len(in[0]) < 1 {
		return nil, fmt.Errorf("%s expects one input, (C,H,W) or flat (C), gets %s", l.Describe(), shapesString(in))
	}
	if !(l.Eps > 0) || !(l.Momentum >= 0 && l.Momentum <= 1) {
		return nil, fmt.Errorf("%s: eps must be positive and momentum in [0, 1]", l.Describe())
	}
	c := in[0][0]
	l.c, l.inner = c, tensor.Size(in[0][1:])
	// Keep parameters and state already set with the right shape (a
	// rebuild, or values loaded from a model file).
	if l.Gamma == nil || l.Beta == nil || !tensor.EqualShape(l.Gamma.Value.Shape, []int{c}) || !tensor.EqualShape(l.Beta.Value.Shape, []int{c}) {
		l.Gamma, l.Beta = NewParam("weight", c), NewParam("bias", c)
		l.Gamma.NoDecay, l.Beta.NoDecay = true, true
		l.resetParams()
	}
	if l.RunningMean == nil || l.RunningVar == nil || !tensor.EqualShape(l.RunningMean.Value.Shape, []int{c}) || !tensor.EqualShape(l.RunningVar.Value.Shape, []int{c}) {
		l.RunningMean, l.RunningVar = NewParam("running_mean", c), NewParam("running_var", c)
		l.resetState()
	}
	l.mean, l.invStd = grow(l.mean, c), grow(l.invStd, c)
	return append([]int(nil), in[0]...), nil
}

// resetParams sets γ = 1 and β = 0.
func (l *BatchNorm2D) resetParams() {
	for i := range l.Gamma.Value.Data {
		l.Gamma.Value.Data[i] = 1
	}
	l.Beta.Value.Zero()
}

// resetState sets the running statistics to mean 0, variance 1.
func (l *BatchNorm2D) resetState() {
	l.RunningMean.Value.Zero()
	for i := range l.RunningVar.Value.Data {
		l.RunningVar.Value.Data[i] = 1
	}
}

func (l *BatchNorm2D) Params() []*Param { return []*Param{l.Gamma, l.Beta} }

// State lists the running mean and variance, saved with the model.
func (l *BatchNorm2D) State() []*Param { return []*Param{l.RunningMean, l.RunningVar} }

// InitParams resets the layer to its initial state, γ = 1, β = 0, running
// mean 0 and variance 1 (it draws nothing).
func (l *BatchNorm2D) InitParams(rng *rand.Rand, act string) {
	l.resetParams()
	l.resetState()
}

// The loops below run over channels in parallel: each channel's statistics
// and parameter gradients are sums over the whole batch, so splitting by
// channel needs no per-worker partial sums and gives results that do not
// depend on the number of threads.

func (l *BatchNorm2D) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	l.batch = train
	l.task = batchNormTask{l: l, train: train, n: in[0].Shape[0], x: in[0].Data, y: out.Data}
	kernel.Parallel(l.c, &l.task)
}

// forwardChannel normalises channel ch of x (N = n examples) into y.
func (l *BatchNorm2D) forwardChannel(x, y []float32, n, ch int, train bool) {
	c, inner := l.c, l.inner
	if train {
		l.batchStats(x, n, ch)
	} else {
		l.mean[ch] = l.RunningMean.Value.Data[ch]
		l.invStd[ch] = float32(1 / math.Sqrt(float64(l.RunningVar.Value.Data[ch])+l.Eps))
	}
	mu, is := l.mean[ch], l.invStd[ch]
	g, b := l.Gamma.Value.Data[ch], l.Beta.Value.Data[ch]
	for s := 0; s < n; s++ {
		off := (s*c + ch) * inner
		xs, ys := x[off:off+inner], y[off:off+inner]
		for i, v := range xs {
			ys[i] = (v-mu)*is*g + b
		}
	}
}

// batchStats computes channel ch's batch mean and biased variance, in
// float64 and in two passes for accuracy, stores μ and 1/√(σ²+Eps), and
// updates the running statistics.
func (l *BatchNorm2D) batchStats(x []float32, n, ch int) {
	c, inner := l.c, l.inner
	m := float64(n * inner)
	var sum float64
	for s := 0; s < n; s++ {
		off := (s*c + ch) * inner
		for _, v := range x[off : off+inner] {
			sum += float64(v)
		}
	}
	mu := sum / m
	var sq float64
	for s := 0; s < n; s++ {
		off := (s*c + ch) * inner
		for _, v := range x[off : off+inner] {
			d := float64(v) - mu
			sq += d * d
		}
	}
	variance := sq / m
	l.mean[ch] = float32(mu)
	l.invStd[ch] = float32(1 / math.Sqrt(variance+l.Eps))
	unbiased := variance
	if m > 1 {
		unbiased = sq / (m - 1)
	}
	rm, rv := &l.RunningMean.Value.Data[ch], &l.RunningVar.Value.Data[ch]
	*rm = float32((1-l.Momentum)*float64(*rm) + l.Momentum*mu)
	*rv = float32((1-l.Momentum)*float64(*rv) + l.Momentum*unbiased)
}

func (l *BatchNorm2D) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	x, dy := in[0].Data, dOut.Data
	var dx []float32
	if dIn[0] != nil {
		dx = dIn[0].Data
	}
	l.task = batchNormTask{l: l, backward: true, n: in[0].Shape[0], x: x, dy: dy, dx: dx}
	kernel.Parallel(l.c, &l.task)
}

// backwardChannel writes channel ch's parameter gradients and, when dx is
// not nil, its input gradient.
func (l *BatchNorm2D) backwardChannel(x, dy, dx []float32, n, ch int) {
	c, inner := l.c, l.inner
	mu, is := l.mean[ch], l.invStd[ch]
	var sumDy, sumDyXhat float64
	for s := 0; s < n; s++ {
		off := (s*c + ch) * inner
		xs, ds := x[off:off+inner], dy[off:off+inner]
		for i, v := range xs {
			d := float64(ds[i])
			sumDy += d
			sumDyXhat += d * float64((v-mu)*is)
		}
	}
	l.Gamma.Grad.Data[ch] = float32(sumDyXhat)
	l.Beta.Grad.Data[ch] = float32(sumDy)
	if dx == nil {
		return
	}
	g := l.Gamma.Value.Data[ch]
	if !l.batch {
		k := g * is
		for s := 0; s < n; s++ {
			off := (s*c + ch) * inner
			for i, d := range dy[off : off+inner] {
				dx[off+i] = k * d
			}
		}
		return
	}
	m := float32(n * inner)
	k := g * is / m
	mDy, mXhat := float32(sumDy), float32(sumDyXhat)
	for s := 0; s < n; s++ {
		off := (s*c + ch) * inner
		xs, ds := x[off:off+inner], dy[off:off+inner]
		for i, v := range xs {
			dx[off+i] = k * (m*ds[i] - mDy - (v-mu)*is*mXhat)
		}
	}
}

package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/convnet/convnet/tensor"
)

// Dropout zeroes each input element with probability P while training and
// scales the kept ones by 1/(1-P) ("inverted" dropout, Srivastava et al.
// 2014, as PyTorch's Dropout and ONNX Dropout), so the expected output equals
// the input and evaluation is the identity:
//
//	train: out = in ⊙ m / (1-P),  m[i] ~ Bernoulli(1-P)
//	eval:  out = in
//
// Shapes are unchanged. Backward applies the same mask: dIn = dOut ⊙ m/(1-P).
// Masks come from the source given to Seed (Graph.Init derives one from the
// model seed), so the same seed drops the same units; without Seed a fixed
// default seed is used.
type Dropout struct {
	P float64

	rng     *rand.Rand
	mask    []float32 // 0 or 1/(1-P) per element of the last training Forward, reused
	trained bool      // whether the last Forward applied a mask
}

// NewDropout returns a dropout layer dropping a fraction p of the units.
func NewDropout(p float64) *Dropout { return &Dropout{P: p} }

func (l *Dropout) Type() string { return "dropout" }

func (l *Dropout) Describe() string { return fmt.Sprintf("dropout(%g)", l.P) }

func (l *Dropout) Seed(rng *rand.Rand) { l.rng = rng }

func (l *Dropout) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%s takes one input, gets %d", l.Describe(), len(in))
	}
	if !(l.P >= 0 && l.P < 1) {
		return nil, fmt.Errorf("%s: the drop probability must be in [0, 1), e.g. dropout(0.5)", l.Describe())
	}
	return append([]int(nil), in[0]...), nil
}

func (l *Dropout) Params() []*Param { return nil }

func (l *Dropout) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x := in[0].Data
	l.trained = train && l.P > 0
	if !l.trained {
		copy(out.Data, x)
		return
	}
	if l.rng == nil {
		l.rng = rand.New(rand.NewPCG(0, 0x64726f706f7574)) // "dropout"
	}
	l.mask = grow(l.mask, len(x))
	// An element is kept when a uniform 32-bit draw is at or above
	// P·2³², so P(keep) = 1-P up to 2⁻³². Each 64-bit draw serves two
	// elements. The draws are sequential so the mask depends only on the
	// seed, not on the number of threads.
	drop := uint32(l.P * (1 << 32))
	scale := float32(1 / (1 - l.P))
	var bits uint64
	for i := range l.mask {
		if i%2 == 0 {
			bits = l.rng.Uint64()
		} else {
			bits >>= 32
		}
		if uint32(bits) >= drop {
			l.mask[i] = scale
		} else {
			l.mask[i] = 0
		}
	}
	for i, v := range x {
		out.Data[i] = v * l.mask[i]
	}
}

func (l *Dropout) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	dx := dIn[0].Data
	if !l.trained {
		copy(dx, dOut.Data)
		return
	}
	for i, d := range dOut.Data {
		dx[i] = d * l.mask[i]
	}
}

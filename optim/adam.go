package optim

import (
	"fmt"
	"math"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
)

// Adam is the Adam optimizer (Kingma & Ba, ICLR 2015) with bias correction,
// and with Decoupled set, AdamW (Loshchilov & Hutter, "Decoupled Weight
// Decay Regularization", ICLR 2019). It follows torch.optim.Adam and
// torch.optim.AdamW of PyTorch 1.13, without amsgrad
// (https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html,
// https://pytorch.org/docs/1.13/generated/torch.optim.AdamW.html).
// At step t = 1, 2, ..., for each parameter w with gradient g, per element:
//
//	w = w * (1 - lr*wd)            AdamW: decoupled weight decay
//	g = g + wd*w                   Adam: L2 weight decay in the gradient
//	m = beta1*m + (1-beta1)*g
//	v = beta2*v + (1-beta2)*g*g
//	w = w - (lr / (1-beta1^t)) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)
//
// Weight decay is skipped when wd is 0 or w is NoDecay (unless DecayAll).
// The bias corrections are computed in float64 and the step size and
// sqrt(1-beta2^t) rounded to float32, where PyTorch rounds them.
//
// PyTorch counts steps per parameter; here one count serves all parameters,
// which is the same as long as every parameter takes part in every Step.
//
// The zero Adam has betas and eps 0, which is not useful; New sets the
// defaults. The fields may be changed between Steps.
type Adam struct {
	Beta1, Beta2 float64 // moment decay rates in [0, 1); New sets 0.9 and 0.999
	Eps          float64 // added to the denominator; New sets 1e-8
	WeightDecay  float64
	Decoupled    bool // AdamW: decay the weights, not the gradient
	DecayAll     bool // decay NoDecay parameters too, as PyTorch does by default

	moments slots // m and v
	step    int64 // steps taken, t
	task    adamTask
}

var _ Optimizer = (*Adam)(nil)

// adamKinds names Adam's per-parameter state: first and second moments.
var adamKinds = []string{"adam.m", "adam.v"}

// adamStep names the step count in the state.
const adamStep = "adam.step"

// Name returns "adamw" when Decoupled, "adam" otherwise.
func (o *Adam) Name() string {
	if o.Decoupled {
		return "adamw"
	}
	return "adam"
}

// String describes the settings, e.g. "adamw(beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01)".
func (o *Adam) String() string {
	s := fmt.Sprintf("%s(beta1=%g, beta2=%g, eps=%g", o.Name(), o.Beta1, o.Beta2, o.Eps)
	if o.WeightDecay != 0 {
		s += fmt.Sprintf(", weight_decay=%g", o.WeightDecay)
	}
	if o.DecayAll {
		s += ", decay_all"
	}
	return s + ")"
}

func (o *Adam) check() error {
	switch {
	case !inRange(o.Beta1):
		return configErrorf("beta1 %g is outside [0, 1)", o.Beta1)
	case !inRange(o.Beta2):
		return configErrorf("beta2 %g is outside [0, 1)", o.Beta2)
	case !(o.Eps >= 0) || math.IsInf(o.Eps, 1):
		return configErrorf("eps %g is not a finite value >= 0", o.Eps)
	case !(o.WeightDecay >= 0):
		return configErrorf("weight decay %g is negative", o.WeightDecay)
	}
	return nil
}

// Step applies one Adam or AdamW update with learning rate lr.
func (o *Adam) Step(params []*nn.Param, lr float32) {
	o.moments.fit(params, adamKinds)
	o.step++
	t := float64(o.step)
	c := kernel.AdamConsts{
		Shrink:  1,
		B1:      float32(o.Beta1),
		C1:      float32(1 - o.Beta1),
		B2:      float32(o.Beta2),
		C2:      float32(1 - o.Beta2),
		BC2Sqrt: float32(math.Sqrt(1 - math.Pow(o.Beta2, t))),
		Eps:     float32(o.Eps),
		// PyTorch's addcdiv computes w + (value·m)/denom, value = -step size.
		NegStep: -float32(float64(lr) / (1 - math.Pow(o.Beta1, t))),
	}
	a := &o.task
	a.params, a.m, a.v = params, o.moments.bufs[0], o.moments.bufs[1]
	a.ends, a.consts = a.ends[:0], a.consts[:0]
	total := 0
	for _, p := range params {
		checkGrad(p)
		total += len(p.Value.Data)
		a.ends = append(a.ends, total)
		k := c
		if o.WeightDecay != 0 && decays(p, o.DecayAll) {
			if o.Decoupled {
				k.Shrink = float32(1 - float64(lr)*o.WeightDecay)
			} else {
				k.WD = float32(o.WeightDecay)
			}
		}
		a.consts = append(a.consts, k)
	}
	kernel.Spread(total, total, a)
	a.params, a.m, a.v = nil, nil, nil
}

// adamTask is Adam's step (kernel.AdamStep) over all the parameters as one
// run of elements, spread over the threads as SGD's momentum step is. As a
// scalar loop on one thread it took 350-540 µs of a 1.3-1.7 ms LeNet-5
// step at 2 threads; spread and vectorised, 26-38 µs.
type adamTask struct {
	params []*nn.Param
	m, v   [][]float32
	ends   []int               // ends[i]: elements in params[:i+1]
	consts []kernel.AdamConsts // per parameter: its decay differs
}

// Run steps elements [lo, hi) of the parameters laid end to end.
func (t *adamTask) Run(_, lo, hi int) {
	kernel.Spans(t.ends, lo, hi, func(i, a, b int) {
		p := t.params[i]
		kernel.AdamStep(p.Value.Data[a:b], p.Grad.Data[a:b], t.m[i][a:b], t.v[i][a:b], &t.consts[i])
	})
}

// State returns the step count "adam.step" and the moments
// "<param>.adam.m" and "<param>.adam.v", or nil before the first Step. The
// count is a float32, exact to 2^24 steps; well before that the bias
// corrections it feeds are 1 in float32.
func (o *Adam) State() []*nn.Param {
	if !o.moments.warm() {
		return nil
	}
	return append([]*nn.Param{scalar(adamStep, float32(o.step))}, o.moments.state()...)
}

// SetState restores the step count and moments returned by State for params.
func (o *Adam) SetState(params []*nn.Param, state []*nn.Param) error {
	if len(state) == 0 {
		o.moments.reset()
		o.step = 0
		return nil
	}
	next, values, err := restore(params, state, adamKinds, adamStep)
	if err != nil {
		return err
	}
	step := values[0]
	if !(step >= 0) || math.IsInf(float64(step), 1) || step != float32(math.Trunc(float64(step))) {
		return stateErrorf("%s is %g, not a step count", adamStep, step)
	}
	o.moments, o.step = next, int64(step)
	return nil
}

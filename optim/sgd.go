package optim

import (
	"fmt"
	"strings"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
)

// SGD is stochastic gradient descent with optional momentum, Nesterov
// momentum and L2 weight decay, as torch.optim.SGD in PyTorch 1.13 with
// dampening 0 (https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html).
// For each parameter w with gradient g, per element:
//
//	g = g + wd*w                   weight decay, unless wd is 0 or w is NoDecay
//	b = momentum*b + g             momentum buffer, b = g at the first step
//	g = g + momentum*b  (Nesterov)
//	g = b               (otherwise, when momentum is not 0)
//	w = w - lr*g
//
// The buffer starts at zero, so the first update gives b = g exactly, as
// PyTorch's clone does. The fields may be changed between Steps.
type SGD struct {
	Momentum    float64 // in [0, 1); 0 is plain SGD and keeps no state
	Nesterov    bool    // needs Momentum > 0
	WeightDecay float64 // L2 factor, added to the gradient
	DecayAll    bool    // decay NoDecay parameters too, as PyTorch does by default

	momentum slots
	step     sgdTask
}

var _ Optimizer = (*SGD)(nil)

// sgdKinds names SGD's per-parameter state.
var sgdKinds = []string{"momentum"}

// Name returns "sgd".
func (o *SGD) Name() string { return "sgd" }

// String describes the settings, e.g. "sgd(momentum=0.9, nesterov, weight_decay=0.0005)".
func (o *SGD) String() string {
	var args []string
	if o.Momentum != 0 {
		args = append(args, fmt.Sprintf("momentum=%g", o.Momentum))
	}
	if o.Nesterov {
		args = append(args, "nesterov")
	}
	if o.WeightDecay != 0 {
		args = append(args, fmt.Sprintf("weight_decay=%g", o.WeightDecay))
	}
	if o.DecayAll {
		args = append(args, "decay_all")
	}
	return "sgd(" + strings.Join(args, ", ") + ")"
}

func (o *SGD) check() error {
	switch {
	case !inRange(o.Momentum):
		return configErrorf("momentum %g is outside [0, 1)", o.Momentum)
	case o.Nesterov && o.Momentum == 0:
		return configErrorf("nesterov needs a momentum above 0")
	case !(o.WeightDecay >= 0):
		return configErrorf("weight decay %g is negative", o.WeightDecay)
	}
	return nil
}

// Step applies one SGD update with learning rate lr.
func (o *SGD) Step(params []*nn.Param, lr float32) {
	mu := float32(o.Momentum)
	var bufs [][]float32
	if mu != 0 {
		o.momentum.fit(params, sgdKinds)
		bufs = o.momentum.bufs[0]
	}
	o.step.run(params, bufs, lr, mu, float32(o.WeightDecay), o.DecayAll, o.Nesterov)
}

// State returns the momentum buffers, "<param>.momentum", or nil when there
// are none (before the first Step, or with momentum 0).
func (o *SGD) State() []*nn.Param { return o.momentum.state() }

// SetState restores momentum buffers returned by State for params.
func (o *SGD) SetState(params []*nn.Param, state []*nn.Param) error {
	if len(state) == 0 {
		o.momentum.reset()
		return nil
	}
	if o.Momentum == 0 {
		return stateErrorf("SGD without momentum keeps no state, but got %q", state[0].Name)
	}
	next, _, err := restore(params, state, sgdKinds)
	if err != nil {
		return err
	}
	o.momentum = next
	return nil
}

// sgdTask is SGD's step over all the parameters as one run of elements,
// spread over the threads: the step is serial between two batches that run
// data-parallel, and on LeNet-5 the momentum step was 11% of a 2-thread
// step as a scalar loop on one thread, the Nesterov step 300 µs of a 1.3
// ms step (kernel.SGDStep, NesterovStep and MomentumStep).
type sgdTask struct {
	params   []*nn.Param
	bufs     [][]float32 // momentum buffers; nil without momentum
	ends     []int       // ends[i]: elements in params[:i+1]
	wd       []float32   // weight decay of each parameter
	lr, mu   float32
	nesterov bool
}

func (t *sgdTask) run(params []*nn.Param, bufs [][]float32, lr, mu, wd float32, decayAll, nesterov bool) {
	t.params, t.bufs, t.lr, t.mu, t.nesterov = params, bufs, lr, mu, nesterov
	t.ends, t.wd = t.ends[:0], t.wd[:0]
	total := 0
	for _, p := range params {
		checkGrad(p)
		total += len(p.Value.Data)
		t.ends = append(t.ends, total)
		d := float32(0)
		if decays(p, decayAll) {
			d = wd
		}
		t.wd = append(t.wd, d)
	}
	kernel.Spread(total, total, t)
	t.params, t.bufs = nil, nil
}

// Run steps elements [lo, hi) of the parameters laid end to end.
func (t *sgdTask) Run(_, lo, hi int) {
	kernel.Spans(t.ends, lo, hi, func(i, a, b int) {
		w, g := t.params[i].Value.Data[a:b], t.params[i].Grad.Data[a:b]
		switch {
		case t.mu == 0:
			kernel.SGDStep(w, g, t.lr, t.wd[i])
		case t.nesterov:
			kernel.NesterovStep(w, g, t.bufs[i][a:b], t.lr, t.mu, t.wd[i])
		default:
			kernel.MomentumStep(w, g, t.bufs[i][a:b], t.lr, t.mu, t.wd[i])
		}
	})
}

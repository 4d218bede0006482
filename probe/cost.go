package probe

import (
	"math/rand/v2"
	"time"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// Cost is what an activation function costs in the engine, per element.
type Cost struct {
	Activation string  `json:"activation"`
	Elements   int     `json:"elements"`
	ForwardNs  float64 `json:"forward_ns_per_element"`
	BackwardNs float64 `json:"backward_ns_per_element"`
}

// ActivationCost times the engine's own forward and backward of the named
// activation (nn.Activation, as training runs it, on the configured
// threads) over a tensor of the given number of elements drawn from
// N(0,1), repeating each for at least budget (once at least) and keeping the fastest
// repetition.
func ActivationCost(kind string, elements int, budget time.Duration) (Cost, error) {
	act, err := nn.NewActivation(kind)
	if err != nil {
		return Cost{}, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.New(1, elements)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	y, dy, dx := tensor.New(1, elements), tensor.New(1, elements), tensor.New(1, elements)
	for i := range dy.Data {
		dy.Data[i] = float32(rng.NormFloat64())
	}
	in, dIn := []*tensor.Tensor{x}, []*tensor.Tensor{dx}
	fastest := func(f func()) float64 {
		best := time.Duration(1 << 62)
		for start := time.Now(); ; {
			t := time.Now()
			f()
			best = min(best, time.Since(t))
			if time.Since(start) >= budget {
				break
			}
		}
		return float64(best.Nanoseconds()) / float64(elements)
	}
	c := Cost{Activation: kind, Elements: elements}
	c.ForwardNs = fastest(func() { act.Forward(in, y, true) })
	c.BackwardNs = fastest(func() { act.Backward(in, y, dy, dIn) })
	return c, nil
}

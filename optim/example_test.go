package optim_test

import (
	"fmt"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/optim"
)

// Minimise (w-3)² with momentum SGD, a short warm-up and a cosine schedule.
func Example() {
	w := nn.NewParam("w", 1)
	params := []*nn.Param{w}
	opt, err := optim.New("momentum", optim.Config{})
	if err != nil {
		panic(err)
	}
	sched, err := optim.ParseSchedule("warmup:5+cosine", 0.1)
	if err != nil {
		panic(err)
	}
	const steps = 200
	for step := range steps {
		w.Grad.Data[0] = 2 * (w.Value.Data[0] - 3)
		opt.Step(params, sched.LR(step, steps))
	}
	fmt.Printf("%s, %s: w = %.3f\n", opt, sched, w.Value.Data[0])
	// Output: sgd(momentum=0.9), warmup:5+cosine: w = 3.000
}

// A checkpoint saves the optimizer's state by name and restores it into a
// fresh optimizer for the same parameters.
func ExampleOptimizer_state() {
	params := []*nn.Param{nn.NewParam("fc.weight", 2, 3), nn.NewParam("fc.bias", 2)}
	opt, _ := optim.New("adamw", optim.Config{WeightDecay: 0.01})
	opt.Step(params, 1e-3)

	state := opt.State()
	for _, st := range state {
		fmt.Println(st.Name, st.Value.Shape)
	}

	resumed, _ := optim.New("adamw", optim.Config{WeightDecay: 0.01})
	fmt.Println(resumed.SetState(params, state))
	fmt.Println(resumed.SetState(params[:1], state))
	// Output:
	// adam.step [1]
	// fc.weight.adam.m [2 3]
	// fc.weight.adam.v [2 3]
	// fc.bias.adam.m [2]
	// fc.bias.adam.v [2]
	// <nil>
	// optim: state does not fit the parameters: unexpected state "fc.bias.adam.m": saved by another optimizer or for other parameters?
}

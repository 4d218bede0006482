package bench

import (
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// ActKinds are the activations of the act benchmark.
var ActKinds = []string{"relu", "leakyrelu", "sigmoid", "tanh"}

// ActSizes are its lengths: 64 Ki elements (256 KiB, in cache) and 16 Mi
// (64 MiB, streamed from memory).
var ActSizes = []int{64 << 10, 16 << 20}

// Act times the nn activation layers (which spread over the engine's
// threads) forward and backward on ActSizes elements in [-1, 1).
func Act(o Options) []Result {
	var res []Result
	for _, n := range ActSizes {
		x := &tensor.Tensor{Shape: []int{n}, Data: randSlice(n, 7)}
		dy := &tensor.Tensor{Shape: []int{n}, Data: randSlice(n, 8)}
		y, dx := tensor.New(n), tensor.New(n)
		in, dIn := []*tensor.Tensor{x}, []*tensor.Tensor{dx}
		for _, kind := range ActKinds {
			l := nn.MustActivation(kind)
			fwd := measure(o, func() { l.Forward(in, y, true) })
			bwd := measure(o, func() { l.Backward(in, y, dy, dIn) })
			res = append(res,
				Result{Bench: "act", Threads: o.Threads, Act: kind, Dir: "forward", N: n, NsPerElem: fwd * 1e9 / float64(n)},
				Result{Bench: "act", Threads: o.Threads, Act: kind, Dir: "backward", N: n, NsPerElem: bwd * 1e9 / float64(n)})
		}
	}
	return res
}

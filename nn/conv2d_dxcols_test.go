package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// TestConv2DColumnsInputGradSameBits: the input gradient through the
// column matrix at the output's width adds the same products in the same
// order as the shifted path, so the two agree bit for bit, with and
// without padding, at 1 and 2 threads. checkConv2DPaths compares both with
// the float64 reference.
func TestConv2DColumnsInputGradSameBits(t *testing.T) {
	defer func() { columnsInputGradEnabled = true }()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, pad := range []int{0, 1} {
		l := NewConv2D(16, 5)
		l.PadT, l.PadL, l.PadB, l.PadR = pad, pad, pad, pad
		shape, err := l.Build([][]int{{6, 14, 14}})
		if err != nil {
			t.Fatal(err)
		}
		if !l.columnsInputGrad() {
			t.Fatalf("padding %d: the layer does not take the columns path", pad)
		}
		l.InitParams(rng, "relu")
		x := randTensor(rng, 5, 6, 14, 14)
		out := tensor.New(append([]int{5}, shape...)...)
		dy := randTensor(rng, out.Shape...)
		for _, threads := range []int{1, 2} {
			var dx [2]*tensor.Tensor
			for i, on := range []bool{false, true} {
				columnsInputGradEnabled = on
				dx[i] = tensor.New(x.Shape...)
				withThreads(threads, func() {
					l.Forward([]*tensor.Tensor{x}, out, true)
					l.Backward([]*tensor.Tensor{x}, out, dy, []*tensor.Tensor{dx[i]})
				})
			}
			for i := range dx[0].Data {
				if math.Float32bits(dx[1].Data[i]) != math.Float32bits(dx[0].Data[i]) {
					t.Fatalf("padding %d, %d threads: dx[%d] = %v on the columns path, %v on the shifted one", pad, threads, i, dx[1].Data[i], dx[0].Data[i])
				}
			}
		}
	}
}

package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// TestConv2DUnpaddedSameBits checks that 3-channel layers whose backward
// pass reads the output gradient in place give the bits of the padded
// path, in every gradient, at 1 and 2 threads: CIFAR's first layer, a 5×5
// kernel and an image wider than high.
func TestConv2DUnpaddedSameBits(t *testing.T) {
	if !kernel.ConvGemmThin() {
		t.Skip("no thin product kernels on this CPU")
	}
	defer func() { unpaddedEnabled = true }()
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct{ filters, k, pad, h, w int }{
		{32, 3, 1, 32, 32},
		{8, 5, 2, 16, 16},
		{12, 3, 1, 16, 32},
	} {
		l := NewConv2D(c.filters, c.k)
		l.PadT, l.PadL, l.PadB, l.PadR = c.pad, c.pad, c.pad, c.pad
		shape, err := l.Build([][]int{{3, c.h, c.w}})
		if err != nil {
			t.Fatal(err)
		}
		l.planUnpaddedGrad()
		if !l.directWgrad(1) || !l.unpadded {
			t.Fatalf("%+v: the layer does not take the unpadded path", c)
		}
		l.InitParams(rng, "relu")
		x := randTensor(rng, 5, 3, c.h, c.w)
		out := tensor.New(append([]int{5}, shape...)...)
		dy := randTensor(rng, out.Shape...)
		for _, threads := range []int{1, 2} {
			var got [2][3][]float32 // per path: dx, dW, dB
			for i, on := range []bool{false, true} {
				unpaddedEnabled = on
				dx := tensor.New(x.Shape...)
				withThreads(threads, func() {
					l.Forward([]*tensor.Tensor{x}, out, true)
					l.Backward([]*tensor.Tensor{x}, out, dy, []*tensor.Tensor{dx})
				})
				got[i] = [3][]float32{dx.Data, append([]float32(nil), l.W.Grad.Data...), append([]float32(nil), l.B.Grad.Data...)}
			}
			for g, name := range []string{"dx", "dW", "dB"} {
				for i, v := range got[1][g] {
					if math.Float32bits(v) != math.Float32bits(got[0][g][i]) {
						t.Fatalf("%+v, %d threads: %s[%d] = %v unpadded, %v padded", c, threads, name, i, v, got[0][g][i])
					}
				}
			}
		}
	}
}

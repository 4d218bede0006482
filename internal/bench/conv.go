package bench

import (
	"fmt"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// ConvShape is one convolution of the conv benchmark: a batch of N images
// C×H×W through F filters K×K, stride 1, padding Pad on every side.
type ConvShape struct{ N, C, H, W, F, K, Pad int }

// ConvShapes are the conv benchmark's shapes: LeNet-5's two layers, CIFAR
// first and inner layers, and ResNet-like 3×3 layers.
var ConvShapes = []ConvShape{
	{64, 1, 28, 28, 6, 5, 0},
	{64, 6, 12, 12, 16, 5, 0},
	{32, 3, 32, 32, 32, 3, 1},
	{32, 32, 32, 32, 32, 3, 1},
	{32, 64, 16, 16, 64, 3, 1},
	{16, 128, 8, 8, 128, 3, 1},
	{1, 64, 56, 56, 64, 3, 1},
	{8, 256, 14, 14, 256, 3, 1},
}

func (s ConvShape) String() string { return shapeString(s.N, s.C, s.H, s.W, s.F, s.K, s.Pad) }

// FLOP is the forward pass's floating-point operations, 2·N·F·OH·OW·C·K·K;
// forward plus backward (input and weight gradients) is three times that.
func (s ConvShape) FLOP() float64 {
	oh, ow := s.H+2*s.Pad-s.K+1, s.W+2*s.Pad-s.K+1
	return 2 * float64(s.N*s.F*oh*ow*s.C*s.K*s.K)
}

// Conv times nn.Conv2D (with bias) forward, and forward then backward with
// the input gradient, for each of ConvShapes.
func Conv(o Options) []Result {
	var res []Result
	for _, s := range ConvShapes {
		g, err := nn.BuildGraph(fmt.Sprintf("conv(%d,%d,pad=%d)", s.F, s.K, s.Pad), []int{s.C, s.H, s.W}, nn.SpecOptions{})
		if err != nil {
			panic("bench: " + err.Error())
		}
		g.Init(1)
		g.InputGrad = true
		x := &tensor.Tensor{Shape: []int{s.N, s.C, s.H, s.W}, Data: randSlice(s.N*s.C*s.H*s.W, 5)}
		out := g.Forward(x, true)
		dy := &tensor.Tensor{Shape: out.Shape, Data: randSlice(len(out.Data), 6)}
		fwd := measure(o, func() { g.Forward(x, false) })
		fb := measure(o, func() {
			g.Forward(x, true)
			g.Backward(dy)
		})
		res = append(res, Result{Bench: "conv", Threads: o.Threads, Shape: s.String(),
			FwdGFLOPS: s.FLOP() / fwd / 1e9, FwdBwdGFLOPS: 3 * s.FLOP() / fb / 1e9})
	}
	return res
}

package bench

import (
	"math/rand/v2"

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

// Conv times the nn.Conv2D layer (with bias) forward, and forward then
// backward with the input gradient, for each of ConvShapes. It calls the
// layer itself, not a graph around it, so that no copy of the output
// gradient is counted.
func Conv(o Options) []Result {
	var res []Result
	for _, s := range ConvShapes {
		fwd := measureFresh(o, func() func() {
			c := newConvCase(s)
			return func() { c.l.Forward(c.in, c.out, false) }
		})
		fb := measureFresh(o, func() func() {
			c := newConvCase(s)
			return func() {
				c.l.Forward(c.in, c.out, true)
				c.l.Backward(c.in, c.out, c.dy, c.dIn)
			}
		})
		res = append(res, Result{Bench: "conv", Threads: o.Threads, Shape: s.String(),
			FwdGFLOPS: s.FLOP() / fwd / 1e9, FwdBwdGFLOPS: 3 * s.FLOP() / fb / 1e9})
	}
	return res
}

// convCase is a Conv2D layer of one shape with its input, output and
// gradients.
type convCase struct {
	l       *nn.Conv2D
	in, dIn []*tensor.Tensor
	out, dy *tensor.Tensor
}

func newConvCase(s ConvShape) *convCase {
	l := nn.NewConv2D(s.F, s.K)
	l.PadT, l.PadL, l.PadB, l.PadR = s.Pad, s.Pad, s.Pad, s.Pad
	shape, err := l.Build([][]int{{s.C, s.H, s.W}})
	if err != nil {
		panic("bench: " + err.Error())
	}
	l.InitParams(rand.New(rand.NewPCG(1, 1)), "relu")
	x := &tensor.Tensor{Shape: []int{s.N, s.C, s.H, s.W}, Data: randSlice(s.N*s.C*s.H*s.W, 5)}
	out := tensor.New(append([]int{s.N}, shape...)...)
	dy := &tensor.Tensor{Shape: out.Shape, Data: randSlice(len(out.Data), 6)}
	return &convCase{l: l, in: []*tensor.Tensor{x}, dIn: []*tensor.Tensor{tensor.New(x.Shape...)}, out: out, dy: dy}
}

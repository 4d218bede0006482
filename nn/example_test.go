package nn_test

import (
	"fmt"
	"os"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/optim"
	"github.com/convnet/convnet/tensor"
)

// LeNet-5 from its text form.
func ExampleBuildGraph() {
	g, err := nn.BuildGraph("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)",
		[]int{1, 28, 28}, nn.SpecOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	g.Init(1)
	out := g.Forward(tensor.New(2, 1, 28, 28), false)
	fmt.Println(out.Shape)
	// Output: [2 10]
}

// The same LeNet-5, built layer by layer in Go.
func ExampleGraph_Add() {
	g := nn.NewGraph(1, 28, 28)
	conv1 := nn.NewConv2D(6, 5)
	conv1.PadT, conv1.PadL, conv1.PadB, conv1.PadR = 2, 2, 2, 2
	g.MustAdd(conv1)
	g.MustAdd(nn.MustActivation("relu"))
	g.MustAdd(nn.NewMaxPool2D(2))
	g.MustAdd(nn.NewConv2D(16, 5))
	g.MustAdd(nn.MustActivation("relu"))
	g.MustAdd(nn.NewMaxPool2D(2))
	g.MustAdd(nn.Flatten{})
	for _, units := range []int{120, 84} {
		g.MustAdd(nn.NewDense(units))
		g.MustAdd(nn.MustActivation("relu"))
	}
	g.MustAdd(nn.NewDense(10))
	for _, n := range g.Nodes[1:] {
		fmt.Print(nn.Describe(n.Layer), " ")
	}
	fmt.Println()
	// Output: conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)
}

// A residual block: the input feeds both the branch and the Add.
func ExampleGraph_Add_residual() {
	g := nn.NewGraph(8, 16, 16)
	x := g.Input()
	conv := nn.NewConv2D(8, 3)
	conv.PadT, conv.PadL, conv.PadB, conv.PadR = 1, 1, 1, 1
	h := g.MustAdd(conv, x)
	h = g.MustAdd(nn.NewBatchNorm2D(), h)
	h = g.MustAdd(nn.MustActivation("relu"), h)
	sum := g.MustAdd(nn.NewAdd(), x, h)
	g.MustAdd(nn.MustActivation("relu"), sum)
	nn.WriteSummary(os.Stdout, &nn.Model{Graph: g}, 1)
	// Output:
	// layer                        input          output shape  params  mult-adds  activations
	// input       input                         (1, 8, 16, 16)       0          0      8.0 KiB
	// conv1       conv(8,3,pad=1)  input        (1, 8, 16, 16)     584    147,456      8.0 KiB
	// batchnorm1  batchnorm        conv1        (1, 8, 16, 16)      16      2,048      8.0 KiB
	// relu1       relu             batchnorm1   (1, 8, 16, 16)       0      2,048      8.0 KiB
	// add1        add              input+relu1  (1, 8, 16, 16)       0      2,048      8.0 KiB
	// relu2       relu             add1         (1, 8, 16, 16)       0      2,048      8.0 KiB
	//
	// total params: 600 (2.3 KiB)
	// mult-adds per forward pass, batch 1: 155,648
	// activation memory, batch 1: 48.0 KiB (forward; training keeps about twice that for gradients)
}

// One training step a call: forward, softmax cross-entropy and backward in
// one pass over the batch (in shards, one per thread, when the graph
// allows), then the optimizer's update.
func ExampleGraph_TrainStep() {
	g, err := nn.BuildGraph("conv(4,3,pad=1) relu maxpool(2) flatten dense(3)", []int{1, 8, 8}, nn.SpecOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	g.Init(1)
	x := tensor.New(6, 1, 8, 8)
	labels := []int{0, 1, 2, 0, 1, 2}
	for i := range x.Data {
		x.Data[i] = float32(i%7) / 7 * float32(labels[i/64]+1)
	}
	opt, err := optim.New("momentum", optim.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var loss nn.SoftmaxCrossEntropy
	first := g.TrainStep(x, labels, &loss)
	opt.Step(g.Params(), 0.1)
	var last float32
	for range 50 {
		last = g.TrainStep(x, labels, &loss)
		opt.Step(g.Params(), 0.1)
	}
	fmt.Println(last < first/10)
	// Output: true
}

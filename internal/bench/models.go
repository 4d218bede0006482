package bench

import (
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/optim"
	"github.com/convnet/convnet/tensor"
)

// LeNet5 is LeCun et al. 1998's LeNet-5 with ReLU and max pooling, as
// `convnet train` builds it, on 1×28×28 images.
const LeNet5 = "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)"

// CifarNet is a small CIFAR-10 net on 3×32×32 images.
const CifarNet = "conv(32,3,pad=1) relu maxpool(2) conv(64,3,pad=1) relu maxpool(2) conv(128,3,pad=1) relu maxpool(2) flatten dense(10)"

// Batch is the batch size of the training and batch inference benchmarks.
const Batch = 64

var (
	lenetInput = []int{1, 28, 28}
	cifarInput = []int{3, 32, 32}
)

// NewLeNet5 returns the benchmarks' LeNet-5, its weights drawn with seed 1,
// for `convnet bench --lenet-onnx` to export for ONNX Runtime.
func NewLeNet5() *nn.Model { return newModel(LeNet5, lenetInput) }

func newModel(spec string, input []int) *nn.Model {
	classes := make([]string, 10)
	for i := range classes {
		classes[i] = string(rune('0' + i))
	}
	m, err := nn.NewModel(spec, input, classes, nn.SpecOptions{})
	if err != nil {
		panic("bench: " + err.Error())
	}
	m.Graph.Init(1)
	return m
}

// batch returns n random images of shape input, values in [0, 1), and labels.
func batch(n int, input []int) (*tensor.Tensor, []int) {
	size := n * input[0] * input[1] * input[2]
	x := &tensor.Tensor{Shape: append([]int{n}, input...), Data: randSlice(size, 9)}
	for i, v := range x.Data {
		x.Data[i] = (v + 1) / 2
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 10
	}
	return x, labels
}

// trainSpeed times one SGD step (momentum 0.9, lr 0.01) on a fixed batch:
// forward, softmax cross-entropy, backward, update, on a fresh model in each
// repeat (measureFresh). It returns images/s.
func trainSpeed(o Options, spec string, input []int) float64 {
	x, labels := batch(Batch, input)
	sec := measureFresh(o, func() func() {
		m := newModel(spec, input)
		opt, err := optim.New("momentum", optim.Config{})
		if err != nil {
			panic("bench: " + err.Error())
		}
		params := m.Graph.Params()
		var loss nn.SoftmaxCrossEntropy
		return func() {
			m.Graph.TrainStep(x, labels, &loss)
			opt.Step(params, 0.01)
		}
	})
	return Batch / sec
}

// inferSeconds times one inference forward pass (logits, no softmax) of n
// images, on a fresh model in each repeat, and returns its seconds.
func inferSeconds(o Options, spec string, input []int, n int) float64 {
	x, _ := batch(n, input)
	return measureFresh(o, func() func() {
		m := newModel(spec, input)
		return func() { m.Graph.Forward(x, false) }
	})
}

// LeNetTrain is lenet-train: LeNet-5 training images/s at batch 64.
func LeNetTrain(o Options) []Result {
	return []Result{{Bench: "lenet-train", Threads: o.Threads, Batch: Batch, ImagesPerS: trainSpeed(o, LeNet5, lenetInput)}}
}

// LeNetInfer is lenet-infer: LeNet-5 inference images/s at batch 64.
func LeNetInfer(o Options) []Result {
	sec := inferSeconds(o, LeNet5, lenetInput, Batch)
	return []Result{{Bench: "lenet-infer", Threads: o.Threads, Batch: Batch, ImagesPerS: Batch / sec}}
}

// LeNetLatency is lenet-latency: the time of one LeNet-5 inference at batch 1.
func LeNetLatency(o Options) []Result {
	sec := inferSeconds(o, LeNet5, lenetInput, 1)
	return []Result{{Bench: "lenet-latency", Threads: o.Threads, Batch: 1, US: sec * 1e6, ImagesPerS: 1 / sec}}
}

// CifarNetTrain is cifarnet-train: CifarNet training images/s at batch 64.
func CifarNetTrain(o Options) []Result {
	return []Result{{Bench: "cifarnet-train", Threads: o.Threads, Batch: Batch, ImagesPerS: trainSpeed(o, CifarNet, cifarInput)}}
}

// CifarNetInfer is cifarnet-infer: CifarNet inference images/s at batch 64.
func CifarNetInfer(o Options) []Result {
	sec := inferSeconds(o, CifarNet, cifarInput, Batch)
	return []Result{{Bench: "cifarnet-infer", Threads: o.Threads, Batch: Batch, ImagesPerS: Batch / sec}}
}

package probe

import (
	"testing"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// BenchmarkMeasure is the cost of one epoch's health check in training:
// LeNet-5 over 512 MNIST-sized examples, forward and backward.
func BenchmarkMeasure(b *testing.B) {
	g, err := nn.BuildGraph("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)",
		[]int{1, 28, 28}, nn.SpecOptions{})
	if err != nil {
		b.Fatal(err)
	}
	g.Init(1)
	const n = 512
	x := tensor.New(n, 1, 28, 28)
	labels := make([]int, n)
	for i := range x.Data {
		x.Data[i] = float32(i%29) / 29
	}
	for i := range labels {
		labels[i] = i % 10
	}
	b.ReportAllocs()
	for b.Loop() {
		Measure(g, x, labels, 256)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "examples/s")
}

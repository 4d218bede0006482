package train

import (
	"fmt"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/cputime"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
)

// BenchmarkLeNetTrainStep times one warm LeNet-5 training step on a batch
// of 64 MNIST images (batch fill, forward, loss, backward, momentum SGD)
// with one and two threads, and reports images/s, and images per CPU
// second (on one thread the figure to compare when other jobs share the
// machine).
func BenchmarkLeNetTrainStep(b *testing.B) {
	const batch = 64
	full, _, err := data.Open("mnist", data.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tr := full.Subset(batch)
	defer kernel.SetThreads(kernel.Threads())
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			kernel.SetThreads(threads)
			m, err := nn.NewModel(lenet5, []int{tr.C, tr.H, tr.W}, tr.Classes, nn.SpecOptions{})
			if err != nil {
				b.Fatal(err)
			}
			m.Graph.Init(1)
			step := trainStep(b, m, tr, batch)
			step()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cputime.Seconds()
			for range b.N {
				step()
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
			if cpu := cputime.Seconds() - cpu0; cpu > 0 {
				b.ReportMetric(float64(b.N*batch)/cpu, "images/cpu-s")
			}
		})
	}
}

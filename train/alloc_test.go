package train

import (
	"fmt"
	"runtime/debug"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/optim"
	"github.com/convnet/convnet/tensor"
)

// TestStepAllocs holds the engine to its design rule: once warm, a training
// step (batch fill, forward, loss, backward, optimizer step) allocates
// nothing, with one thread and with several. The second model brings in
// the layers LeNet-5 lacks: batch norm, a residual add, average pooling,
// dropout and a sigmoid.
func TestStepAllocs(t *testing.T) {
	if raceEnabled() {
		t.Skip("the race detector allocates on its own")
	}
	tr, _ := mnistSubset(t, 256, 0)
	specs := map[string]string{
		"lenet5": lenet5,
		"resnet": "conv(8,3,pad=1) batchnorm relu residual(conv(8,3,pad=1) batchnorm relu conv(8,3,pad=1) batchnorm) relu " +
			"avgpool(2) conv(8,3) sigmoid maxpool(2) flatten dropout(0.5) dense(32) tanh dense(10)",
	}
	defer kernel.SetThreads(kernel.Threads())
	for _, name := range []string{"lenet5", "resnet"} {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(t *testing.T) {
				kernel.SetThreads(threads)
				step := trainStep(t, newModel(t, specs[name], tr, 1), tr, 64)
				step()
				if allocs := testing.AllocsPerRun(10, step); allocs != 0 {
					t.Errorf("a warm training step allocates %v times, want 0", allocs)
				}
			})
		}
	}
}

// trainStep returns a function that runs one momentum-SGD training step
// of m on the first batch examples of ds as run.trainStep does: batch fill,
// Graph.TrainStep (forward, loss, backward) and parameter update.
func trainStep(tb testing.TB, m *nn.Model, ds *data.Dataset, batch int) func() {
	tb.Helper()
	x := tensor.New(batch, ds.C, ds.H, ds.W)
	labels := make([]int, batch)
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i % ds.Len()
	}
	opt, err := optim.New("momentum", optim.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	var ce nn.SoftmaxCrossEntropy
	params := m.Graph.Params()
	return func() {
		ds.Batch(idx, x.Data, labels, nil, nil)
		m.Graph.TrainStep(x, labels, &ce)
		opt.Step(params, 0.01)
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

package nn

import (
	"math"
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestBatchNormGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "batchnorm2d train", layer: NewBatchNorm2D(), shapes: [][]int{{3, 3, 4, 5}}, train: true})
	checkGradients(t, gradCase{name: "batchnorm1d train", layer: NewBatchNorm2D(), shapes: [][]int{{6, 4}}, train: true})
	checkGradients(t, gradCase{name: "batchnorm (N,C,L) train", layer: NewBatchNorm2D(), shapes: [][]int{{2, 3, 5}}, train: true})

	// Evaluation: the running statistics are state, which InitParams
	// resets, so set them before every Forward.
	bn := NewBatchNorm2D()
	checkGradients(t, gradCase{
		name: "batchnorm2d eval", layer: bn, shapes: [][]int{{2, 3, 4, 4}},
		before: func() {
			copy(bn.RunningMean.Value.Data, []float32{0.5, -1, 0.1})
			copy(bn.RunningVar.Value.Data, []float32{2, 0.3, 1.5})
		},
	})
}

// TestBatchNormStatistics checks one training step against the formulas:
// the output is normalised with the biased variance, and the running
// variance moves towards the unbiased one.
func TestBatchNormStatistics(t *testing.T) {
	bn := NewBatchNorm2D()
	if _, err := bn.Build([][]int{{2, 2, 2}}); err != nil {
		t.Fatal(err)
	}
	// Channel 0 holds 1..8 over the batch of 2, channel 1 holds 10.
	x := tensor.FromData([]float32{
		1, 2, 3, 4, 10, 10, 10, 10,
		5, 6, 7, 8, 10, 10, 10, 10,
	}, 2, 2, 2, 2)
	out := tensor.New(x.Shape...)
	bn.Forward([]*tensor.Tensor{x}, out, true)
	const mean, biased, unbiased = 4.5, 5.25, 6.0
	if got := out.Data[0]; math.Abs(float64(got)-(1-mean)/math.Sqrt(biased+1e-5)) > 1e-6 {
		t.Errorf("out[0] = %v, want %v", got, (1-mean)/math.Sqrt(biased+1e-5))
	}
	if got := out.Data[4]; got != 0 {
		t.Errorf("constant channel: out = %v, want 0", got)
	}
	wantMean := []float32{0.1 * mean, 0.1 * 10}
	wantVar := []float32{0.9 + 0.1*unbiased, 0.9}
	for c := range 2 {
		if d := bn.RunningMean.Value.Data[c] - wantMean[c]; math.Abs(float64(d)) > 1e-6 {
			t.Errorf("running_mean[%d] = %v, want %v", c, bn.RunningMean.Value.Data[c], wantMean[c])
		}
		if d := bn.RunningVar.Value.Data[c] - wantVar[c]; math.Abs(float64(d)) > 1e-6 {
			t.Errorf("running_var[%d] = %v, want %v", c, bn.RunningVar.Value.Data[c], wantVar[c])
		}
	}
	// Evaluation leaves the running statistics alone.
	bn.Forward([]*tensor.Tensor{x}, out, false)
	if bn.RunningMean.Value.Data[0] != wantMean[0] {
		t.Error("an evaluation Forward changed the running mean")
	}
}

func TestBatchNormParams(t *testing.T) {
	bn := NewBatchNorm2D()
	if _, err := bn.Build([][]int{{3, 8, 8}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range bn.Params() {
		if !p.NoDecay {
			t.Errorf("%s: NoDecay is false; batch-norm scale and shift skip weight decay", p.Name)
		}
	}
	names := []string{bn.Gamma.Name, bn.Beta.Name, bn.State()[0].Name, bn.State()[1].Name}
	want := []string{"weight", "bias", "running_mean", "running_var"}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("names = %v, want %v", names, want)
			break
		}
	}
	if bn.Gamma.Value.Data[0] != 1 || bn.Beta.Value.Data[0] != 0 || bn.RunningVar.Value.Data[0] != 1 || bn.RunningMean.Value.Data[0] != 0 {
		t.Error("a new batch norm should start with weight 1, bias 0, running mean 0, running var 1")
	}
}

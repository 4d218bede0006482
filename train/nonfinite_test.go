package train

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// TestNaNWeightNamesTheLayer poisons a weight of conv2 after step 3: the
// run stops at step 4, naming conv2 as the first layer with a bad output,
// and the checkpoint of epoch 1 stays as it was written.
func TestNaNWeightNamesTheLayer(t *testing.T) {
	tr, _ := mnistSubset(t, 128, 0)
	m := newModel(t, lenet5, tr, 1)
	ckpt := filepath.Join(t.TempDir(), "m.ckpt")
	cfg := Config{Epochs: 3, Batch: 64, Checkpoint: ckpt, HealthSample: -1}
	cfg.OnStep = func(s StepInfo) {
		if s.Step == 3 {
			m.Graph.Node("conv2").Layer.Params()[0].Value.Data[7] = float32(math.NaN())
		}
	}
	_, err := Run(m, tr, nil, cfg)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Step != 4 || nf.Epoch != 2 || nf.Layer != "conv2" || nf.Param != "" {
		t.Fatalf("err = %v (%+v), want a NonFiniteError at step 4, epoch 2, in conv2", err, nf)
	}
	if !strings.Contains(err.Error(), "step 4") || !strings.Contains(err.Error(), "conv2") {
		t.Errorf("message %q names neither the step nor the layer", err)
	}
	c, err := nn.LoadCheckpoint(ckpt)
	if err != nil {
		t.Fatalf("the last good checkpoint does not load: %v", err)
	}
	if c.Extra["epoch"] != "1" || c.Extra["step"] != "2" {
		t.Errorf("checkpoint is of epoch %s step %s, want epoch 1 step 2", c.Extra["epoch"], c.Extra["step"])
	}
	for _, p := range c.Model.Graph.Params() {
		if !finite(p.Value.Data) {
			t.Errorf("checkpointed %s is not finite", p.Name)
		}
	}
}

// poison passes values through unchanged and, once armed, writes an Inf
// into the gradient it sends back: a backward pass that breaks while the
// loss stays finite.
type poison struct{ armed *bool }

func (poison) Type() string                    { return "poison" }
func (poison) Build(in [][]int) ([]int, error) { return in[0], nil }
func (poison) Params() []*nn.Param             { return nil }
func (p poison) Forward(in []*tensor.Tensor, out *tensor.Tensor, _ bool) {
	copy(out.Data, in[0].Data)
}
func (p poison) Backward(_ []*tensor.Tensor, _, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	copy(dIn[0].Data, dOut.Data)
	if *p.armed {
		dIn[0].Data[5] = float32(math.Inf(1))
	}
}

// TestInfGradientNamesTheLayer arms a layer whose backward pass makes an
// Inf at step 3: the run stops there with a finite loss, naming the layer
// and the first parameter whose gradient is bad, before the optimizer
// applies it.
func TestInfGradientNamesTheLayer(t *testing.T) {
	tr, _ := mnistSubset(t, 128, 0)
	armed := false
	g := nn.NewGraph(1, 28, 28)
	g.MustAdd(nn.Flatten{})
	g.MustAdd(nn.NewDense(32))
	g.MustAdd(poison{&armed})
	g.MustAdd(&nn.Activation{Kind: "relu"})
	g.MustAdd(nn.NewDense(10))
	g.Init(1)
	m := &nn.Model{Input: []int{1, 28, 28}, Classes: tr.Classes, Graph: g}
	var before []float32
	cfg := Config{Epochs: 2, Batch: 64, HealthSample: -1, OnStep: func(s StepInfo) {
		if s.Step == 2 {
			armed = true
			before = append([]float32(nil), g.Node("dense1").Layer.Params()[0].Value.Data...)
		}
	}}
	_, err := Run(m, tr, nil, cfg)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Step != 3 || nf.Layer != "poison1" || nf.Param != "dense1.weight" || finite([]float32{nf.Value}) {
		t.Fatalf("err = %v (%+v), want a NonFiniteError at step 3 in poison1 for dense1.weight", err, nf)
	}
	if math.IsNaN(float64(nf.Loss)) || math.IsInf(float64(nf.Loss), 0) {
		t.Errorf("loss %v: the gradient should have been caught, not the loss", nf.Loss)
	}
	for i, v := range g.Node("dense1").Layer.Params()[0].Value.Data {
		if v != before[i] {
			t.Fatalf("dense1.weight[%d] changed from %v to %v: the bad step was applied", i, before[i], v)
		}
	}
}

func TestFinite(t *testing.T) {
	for n := range 11 {
		v := make([]float32, n)
		if !finite(v) {
			t.Fatalf("zeros of length %d are not finite", n)
		}
		for i := range n {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				v[i] = float32(bad)
				if finite(v) {
					t.Fatalf("%v at %d of %d passes", bad, i, n)
				}
				v[i] = math.MaxFloat32
			}
		}
		if !finite(v) {
			t.Fatalf("MaxFloat32 values of length %d are not finite", n)
		}
	}
}

// BenchmarkGradCheck times the per-step finite check over LeNet-5's
// parameter gradients, to set against BenchmarkLeNetTrainStep.
func BenchmarkGradCheck(b *testing.B) {
	m, err := nn.NewModel(lenet5, []int{1, 28, 28}, make([]string, 10), nn.SpecOptions{})
	if err != nil {
		b.Fatal(err)
	}
	params := m.Graph.Params()
	n := 0
	for _, p := range params {
		n += p.Grad.Len()
	}
	b.ReportAllocs()
	b.SetBytes(int64(4 * n))
	for range b.N {
		if !gradsFinite(params) {
			b.Fatal("not finite")
		}
	}
}

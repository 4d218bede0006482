package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// reference is testdata/reference.json, written by testdata/gen_reference.py
// with PyTorch 1.13: parameters, a gradient per step, and for each case the
// parameters after each step of torch.optim.
type reference struct {
	Torch  string `json:"torch"`
	Params []struct {
		Name    string    `json:"name"`
		Shape   []int     `json:"shape"`
		NoDecay bool      `json:"no_decay"`
		Value   []float32 `json:"value"`
	} `json:"params"`
	Grads [][][]float32   `json:"grads"` // [step][param][element]
	Cases []referenceCase `json:"cases"`
}

type referenceCase struct {
	Name        string        `json:"name"`
	Optimizer   string        `json:"optimizer"` // as New spells it
	LR          []float32     `json:"lr"`        // per step
	Momentum    float64       `json:"momentum"`
	WeightDecay float64       `json:"weight_decay"`
	DecayAll    bool          `json:"decay_all"`
	Beta1       float64       `json:"beta1"`
	Beta2       float64       `json:"beta2"`
	Eps         float64       `json:"eps"`
	After       [][][]float32 `json:"after"` // [step][param][element]
}

func (c referenceCase) config() Config {
	return Config{Momentum: c.Momentum, WeightDecay: c.WeightDecay, DecayAll: c.DecayAll,
		Beta1: c.Beta1, Beta2: c.Beta2, Eps: c.Eps}
}

func loadReference(t testing.TB) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) == 0 || len(ref.Grads) == 0 {
		t.Fatal("testdata/reference.json holds no cases; rerun testdata/gen_reference.py")
	}
	return &ref
}

// params returns fresh parameters with the reference's starting values.
func (ref *reference) params() []*nn.Param {
	ps := make([]*nn.Param, len(ref.Params))
	for i, rp := range ref.Params {
		ps[i] = nn.NewParam(rp.Name, rp.Shape...)
		copy(ps[i].Value.Data, rp.Value)
		ps[i].NoDecay = rp.NoDecay
	}
	return ps
}

// setGrads loads the gradients of step t (from 0).
func (ref *reference) setGrads(ps []*nn.Param, t int) {
	for i, p := range ps {
		copy(p.Grad.Data, ref.Grads[t][i])
	}
}

// Relative tolerance against PyTorch. The two differ only in rounding: PyTorch's
// vectorised kernels fuse some multiply-adds, and the learning rate here is a
// float32 where PyTorch's is a double. Values near zero are compared with the
// absolute part, scaled to the parameters' size (about 0.5).
const (
	refRelTol = 1e-6
	refAbsTol = 1e-7
)

func TestMatchesPyTorch(t *testing.T) {
	ref := loadReference(t)
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			opt, err := New(c.Optimizer, c.config())
			if err != nil {
				t.Fatal(err)
			}
			ps := ref.params()
			worst := 0.0
			for step, want := range c.After {
				ref.setGrads(ps, step)
				opt.Step(ps, c.LR[step])
				for i, p := range ps {
					for j, got := range p.Value.Data {
						w := want[i][j]
						diff := math.Abs(float64(got) - float64(w))
						worst = max(worst, diff/math.Max(math.Abs(float64(w)), 1e-30))
						if diff > refRelTol*math.Abs(float64(w))+refAbsTol {
							t.Errorf("step %d: %s[%d] = %.9g, PyTorch %s has %.9g",
								step+1, p.Name, j, got, ref.Torch, w)
						}
					}
				}
			}
			t.Logf("%s: worst relative difference from PyTorch %.2g", opt, worst)
		})
	}
}

// TestStateRoundTrip checks that an optimizer restored from State continues
// exactly as the one that wrote it, over the reference cases.
func TestStateRoundTrip(t *testing.T) {
	ref := loadReference(t)
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			a, _ := New(c.Optimizer, c.config())
			b, _ := New(c.Optimizer, c.config())
			pa := ref.params()
			for step := range 3 {
				ref.setGrads(pa, step)
				a.Step(pa, c.LR[step])
			}
			pb := ref.params()
			for i := range pb {
				copy(pb[i].Value.Data, pa[i].Value.Data)
			}
			if err := b.SetState(pb, a.State()); err != nil {
				t.Fatal(err)
			}
			for step := 3; step < len(c.After); step++ {
				ref.setGrads(pa, step)
				ref.setGrads(pb, step)
				a.Step(pa, c.LR[step])
				b.Step(pb, c.LR[step])
			}
			for i := range pa {
				for j := range pa[i].Value.Data {
					if pa[i].Value.Data[j] != pb[i].Value.Data[j] {
						t.Fatalf("%s[%d]: restored optimizer gives %g, original %g",
							pa[i].Name, j, pb[i].Value.Data[j], pa[i].Value.Data[j])
					}
				}
			}
		})
	}
}

// TestReferenceParamsMatchTensor guards the reference loader: a shape that
// disagrees with the values would make every comparison meaningless.
func TestReferenceParamsMatchTensor(t *testing.T) {
	ref := loadReference(t)
	for _, rp := range ref.Params {
		if tensor.Size(rp.Shape) != len(rp.Value) {
			t.Errorf("%s: shape %v holds %d values, file has %d", rp.Name, rp.Shape, tensor.Size(rp.Shape), len(rp.Value))
		}
	}
}

package train_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/optim"
	"github.com/convnet/convnet/tensor"
)

// lenet5Reference is testdata/lenet5_reference.json, written with
// testdata/lenet5_reference.bin by testdata/pytorch_lenet5.py: LeNet-5 with
// PyTorch 1.13's initial weights, five batches of MNIST training images, and
// for each run the loss of every SGD step and the weights after the last.
type lenet5Reference struct {
	Torch   string `json:"torch"`
	Spec    string `json:"spec"`
	Input   []int  `json:"input"`
	Classes int    `json:"classes"`
	Params  []struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
	} `json:"params"`
	InitialOffset int `json:"initial_offset"` // in float32 values into the .bin file
	Batches       []struct {
		Indices  []int `json:"indices"`
		Labels   []int `json:"labels"`
		PixelSum int   `json:"pixel_sum"` // of the raw bytes, to check the images
	} `json:"batches"`
	Runs []struct {
		Name        string    `json:"name"`
		Optimizer   string    `json:"optimizer"` // as optim.New spells it
		Momentum    float64   `json:"momentum"`
		LR          float32   `json:"lr"`
		Losses      []float32 `json:"losses"` // per step, before its update
		FinalOffset int       `json:"final_offset"`
	} `json:"runs"`

	values []float32 // lenet5_reference.bin
}

func loadLeNet5Reference(t *testing.T) *lenet5Reference {
	t.Helper()
	const regen = "; regenerate with testdata/pytorch_lenet5.py"
	b, err := os.ReadFile("testdata/lenet5_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref lenet5Reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("testdata/lenet5_reference.json: %v%s", err, regen)
	}
	raw, err := os.ReadFile("testdata/lenet5_reference.bin")
	if err != nil {
		t.Fatal(err)
	}
	if len(raw)%4 != 0 {
		t.Fatalf("testdata/lenet5_reference.bin holds %d bytes, not whole float32s%s", len(raw), regen)
	}
	ref.values = make([]float32, len(raw)/4)
	if _, err := binary.Decode(raw, binary.LittleEndian, ref.values); err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, p := range ref.Params {
		size += tensor.Size(p.Shape)
	}
	for _, off := range append([]int{ref.InitialOffset}, ref.finalOffsets()...) {
		if off < 0 || off+size > len(ref.values) {
			t.Fatalf("parameter set at %d runs past the %d values of testdata/lenet5_reference.bin%s", off, len(ref.values), regen)
		}
	}
	if len(ref.Runs) == 0 || len(ref.Batches) == 0 {
		t.Fatalf("testdata/lenet5_reference.json holds no runs or no batches%s", regen)
	}
	for _, r := range ref.Runs {
		if len(r.Losses) != len(ref.Batches) {
			t.Fatalf("run %s has %d losses for %d batches%s", r.Name, len(r.Losses), len(ref.Batches), regen)
		}
	}
	return &ref
}

func (ref *lenet5Reference) finalOffsets() []int {
	offs := make([]int, len(ref.Runs))
	for i, r := range ref.Runs {
		offs[i] = r.FinalOffset
	}
	return offs
}

// paramSet splits the parameter set at off into one slice per parameter,
// after checking that ps has the reference's names and shapes.
func (ref *lenet5Reference) paramSet(t *testing.T, ps []*nn.Param, off int) [][]float32 {
	t.Helper()
	if len(ps) != len(ref.Params) {
		t.Fatalf("the model has %d parameters, the PyTorch reference %d", len(ps), len(ref.Params))
	}
	set := make([][]float32, len(ps))
	for i, p := range ps {
		rp := ref.Params[i]
		if p.Name != rp.Name || !tensor.EqualShape(p.Value.Shape, rp.Shape) {
			t.Fatalf("parameter %d is %s %s, PyTorch's is %s %s", i,
				p.Name, tensor.ShapeString(p.Value.Shape), rp.Name, tensor.ShapeString(rp.Shape))
		}
		n := tensor.Size(rp.Shape)
		set[i] = ref.values[off : off+n]
		off += n
	}
	return set
}

// Tolerances against PyTorch. Both sides compute in float32 but sum in
// different orders. Measured with PyTorch 1.13 on amd64, with the assembly
// kernels and with -tags noasm: every loss within one float32 ulp of
// PyTorch's (1.04e-7 relative), and the weights after five steps within
// 1.5e-7 of each parameter's largest value. The tolerances are about five
// times that. A learning rate of 0.051 instead of 0.05 misses the loss
// tolerance 70 times over, a momentum of 0.901 instead of 0.9 misses it
// twice over, and both miss the weight tolerance by more than 100 times.
const (
	// lenetLossTol bounds |loss - PyTorch's| / PyTorch's at every step.
	lenetLossTol = 5e-7
	// lenetWeightTol bounds |w - PyTorch's w| / max|PyTorch's w| over each
	// parameter tensor after the last step: the parameter's largest value
	// sets the scale, as rounding errors in a sum scale with its terms.
	lenetWeightTol = 1e-6
)

// TestLeNet5MatchesPyTorchReference trains LeNet-5 for five steps from
// PyTorch's initial weights on the batches PyTorch saw, and checks every
// loss and the final weights against PyTorch's.
func TestLeNet5MatchesPyTorchReference(t *testing.T) {
	ref := loadLeNet5Reference(t)
	mnist, _, err := data.Open("mnist", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(mnist.Classes) != ref.Classes {
		t.Fatalf("MNIST has %d classes, the reference %d", len(mnist.Classes), ref.Classes)
	}
	xs := make([]*tensor.Tensor, len(ref.Batches))
	labels := make([][]int, len(ref.Batches))
	for b, batch := range ref.Batches {
		xs[b] = &tensor.Tensor{}
		labels[b] = make([]int, len(batch.Indices))
		mnist.BatchTensor(batch.Indices, xs[b], labels[b], nil, nil)
		sum := 0
		for _, i := range batch.Indices {
			for _, p := range mnist.Image(i) {
				sum += int(p)
			}
		}
		if sum != batch.PixelSum || !slices.Equal(labels[b], batch.Labels) {
			t.Fatalf("batch %d: the data package gives labels %v and pixel sum %d, PyTorch saw %v and %d",
				b, labels[b], sum, batch.Labels, batch.PixelSum)
		}
	}

	for _, run := range ref.Runs {
		t.Run(run.Name, func(t *testing.T) {
			m, err := nn.NewModel(ref.Spec, ref.Input, mnist.Classes, nn.SpecOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ps := m.Graph.Params()
			for i, v := range ref.paramSet(t, ps, ref.InitialOffset) {
				copy(ps[i].Value.Data, v)
			}
			opt, err := optim.New(run.Optimizer, optim.Config{Momentum: run.Momentum})
			if err != nil {
				t.Fatal(err)
			}

			worstLoss := 0.0
			for step, want := range run.Losses {
				logits := m.Graph.Forward(xs[step], true)
				var ce nn.SoftmaxCrossEntropy
				loss := ce.Loss(logits, labels[step])
				m.Graph.Backward(&ce.Grad)
				opt.Step(m.Graph.Params(), run.LR)

				rel := math.Abs(float64(loss)-float64(want)) / math.Abs(float64(want))
				worstLoss = max(worstLoss, rel)
				if !(rel <= lenetLossTol) {
					t.Errorf("step %d: loss %.9g, PyTorch %s has %.9g (relative difference %.2g, tolerance %.2g)",
						step+1, loss, ref.Torch, want, rel, lenetLossTol)
				}
			}

			worstWeight := 0.0
			for i, want := range ref.paramSet(t, ps, run.FinalOffset) {
				scale := 0.0
				for _, w := range want {
					scale = max(scale, math.Abs(float64(w)))
				}
				worst, at := 0.0, 0
				for j, got := range ps[i].Value.Data {
					if d := math.Abs(float64(got) - float64(want[j])); !(d <= worst) {
						worst, at = d, j
					}
				}
				worstWeight = max(worstWeight, worst/scale)
				if !(worst <= lenetWeightTol*scale) {
					t.Errorf("after %d steps: %s[%d] = %.9g, PyTorch has %.9g (difference %.2g of the largest weight %.3g, tolerance %.2g)",
						len(run.Losses), ps[i].Name, at, ps[i].Value.Data[at], want[at], worst/scale, scale, lenetWeightTol)
				}
			}
			t.Logf("%s, lr %g: worst relative loss difference %.2g, worst weight difference %.2g of the parameter's largest",
				opt, run.LR, worstLoss, worstWeight)
		})
	}
}

package train

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
)

const lenet5 = "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)"

func mnistSubset(t *testing.T, nTrain, nTest int) (*data.Dataset, *data.Dataset) {
	t.Helper()
	tr, te, err := data.Open("mnist", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Subset(nTrain), te.Subset(nTest)
}

func newModel(t *testing.T, spec string, ds *data.Dataset, seed uint64) *nn.Model {
	t.Helper()
	m, err := nn.NewModel(spec, []int{ds.C, ds.H, ds.W}, ds.Classes, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(seed)
	return m
}

// TestLeNetLearnsMNISTSubset is the CI acceptance test: two epochs of
// LeNet-5 on 3,000 real MNIST images must lower the loss and lift test
// accuracy far above the 10% of chance.
func TestLeNetLearnsMNISTSubset(t *testing.T) {
	tr, te := mnistSubset(t, 3000, 1000)
	m := newModel(t, lenet5, tr, 1)
	dir := t.TempDir()
	cfg := Config{Epochs: 2, Batch: 32, Seed: 1, Out: filepath.Join(dir, "m.convnet"), Metrics: filepath.Join(dir, "m.jsonl")}
	res, err := Run(m, tr, te, cfg)
	if err != nil {
		t.Fatal(err)
	}
	steps := readSteps(t, cfg.Metrics)
	if len(steps) != 2*94 {
		t.Fatalf("%d step lines in the metrics, want %d", len(steps), 2*94)
	}
	first := mean(steps[:10])
	last := mean(steps[len(steps)-10:])
	if !(last < first/3) {
		t.Errorf("loss did not fall: first 10 steps %.3f, last 10 %.3f", first, last)
	}
	if acc := res.Epochs[1].TestAcc; acc < 0.85 {
		t.Errorf("test accuracy %.3f after 2 epochs on 3,000 images, want >= 0.85 (chance is 0.10)", acc)
	}
	if res.Epochs[1].TrainAcc <= res.Epochs[0].TrainAcc {
		t.Errorf("training accuracy did not rise: %v", res.Epochs)
	}
	c, err := nn.LoadCheckpoint(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Extra["epoch"] != "2" || len(c.ExtraTensors) == 0 {
		t.Errorf("checkpoint lacks training state: %v, %d extra tensors", c.Extra, len(c.ExtraTensors))
	}
	if e := Evaluate(c.Model, te, 100); e.Accuracy != res.Test.Accuracy {
		t.Errorf("reloaded model scores %.4f, trained one %.4f", e.Accuracy, res.Test.Accuracy)
	}
}

// TestSameSeedSameLosses: the same seed gives the same weights, batch order
// and losses, bit for bit; another seed does not.
func TestSameSeedSameLosses(t *testing.T) {
	tr, _ := mnistSubset(t, 512, 0)
	losses := func(seed uint64) []float64 {
		m := newModel(t, lenet5, tr, seed)
		var ls []float64
		_, err := Run(m, tr, nil, Config{Epochs: 1, Batch: 64, Seed: seed, Augment: &data.Augment{Pad: 2, Flip: true},
			OnStep: func(s StepInfo) { ls = append(ls, s.Loss) }})
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	a, b, c := losses(3), losses(3), losses(4)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d: loss %v then %v with the same seed", i+1, a[i], b[i])
		}
	}
	if a[0] == c[0] && a[len(a)-1] == c[len(c)-1] {
		t.Errorf("seeds 3 and 4 gave the same losses")
	}
}

func TestDivergenceStopsTheRun(t *testing.T) {
	tr, _ := mnistSubset(t, 640, 0)
	m := newModel(t, lenet5, tr, 1)
	out := filepath.Join(t.TempDir(), "m.convnet")
	_, err := Run(m, tr, nil, Config{Epochs: 3, Batch: 64, LR: 1e6, Schedule: "constant", Out: out})
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Step < 1 {
		t.Fatalf("err = %v, want a NonFiniteError naming the step", err)
	}
}

func TestDataThatDoesNotFit(t *testing.T) {
	tr, _ := mnistSubset(t, 64, 0)
	m, err := nn.NewModel("flatten dense(10)", []int{3, 28, 28}, tr.Classes, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(m, tr, nil, Config{Epochs: 1}); err == nil {
		t.Fatal("a 3-channel model trained on 1-channel data")
	}
}

func readSteps(t *testing.T, path string) []float64 {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var losses []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s StepInfo
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		if s.Type == "step" {
			losses = append(losses, s.Loss)
		}
	}
	return losses
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
)

// TestResumeGivesTheSameLosses trains 3 epochs straight, and 1 epoch then
// 2 more resumed from the checkpoint, with momentum SGD and AdamW, a cosine
// schedule, batch norm, dropout and augmentation: every step's loss must
// match bit for bit.
func TestResumeGivesTheSameLosses(t *testing.T) {
	tr, _ := mnistSubset(t, 300, 0)
	const spec = "conv(4,5) batchnorm relu maxpool(2) flatten dropout(0.3) dense(10)"
	for _, opt := range []string{"momentum", "adamw"} {
		cfg := func(epochs int, ls *[]float64) Config {
			return Config{Epochs: epochs, Batch: 32, Seed: 9, Optimizer: opt, LR: 0.01, Augment: &data.Augment{Pad: 2, Flip: true},
				OnStep: func(s StepInfo) { *ls = append(*ls, s.Loss) }}
		}
		// The straight run keeps the checkpoint of its first epoch, as if it
		// had been stopped there (OnEpoch runs before that epoch's save).
		var straight []float64
		dir := t.TempDir()
		ckpt, first := filepath.Join(dir, "run.ckpt"), filepath.Join(dir, "epoch1.ckpt")
		c := cfg(3, &straight)
		c.Checkpoint = ckpt
		c.OnEpoch = func(e EpochInfo) {
			if e.Epoch == 2 {
				b, err := os.ReadFile(ckpt)
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(first, b, 0o644)
			}
		}
		if _, err := Run(newModel(t, spec, tr, 5), tr, nil, c); err != nil {
			t.Fatal(err)
		}
		resumed := append([]float64(nil), straight[:len(straight)/3]...)
		saved, err := nn.LoadCheckpoint(first)
		if err != nil {
			t.Fatal(err)
		}
		c = cfg(3, &resumed)
		c.Resume = saved
		// A fresh model with other weights: resuming must restore them.
		res, err := Run(newModel(t, spec, tr, 6), tr, nil, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Epochs) != 2 || res.Epochs[0].Epoch != 2 {
			t.Errorf("%s: resumed run reports epochs %+v", opt, res.Epochs)
		}
		if len(resumed) != len(straight) {
			t.Fatalf("%s: %d steps resumed, %d straight", opt, len(resumed), len(straight))
		}
		for i := range straight {
			if resumed[i] != straight[i] {
				t.Fatalf("%s: step %d: loss %v after resuming, %v straight", opt, i+1, resumed[i], straight[i])
			}
		}

		c = cfg(1, &resumed)
		c.Resume = saved
		if _, err := Run(newModel(t, spec, tr, 5), tr, nil, c); err == nil || !strings.Contains(err.Error(), "already trained") {
			t.Errorf("%s: resuming a finished run: %v", opt, err)
		}
	}
}

func TestResumeRejectsAnotherOptimizer(t *testing.T) {
	tr, _ := mnistSubset(t, 64, 0)
	ckpt := filepath.Join(t.TempDir(), "run.ckpt")
	if _, err := Run(newModel(t, "flatten dense(10)", tr, 1), tr, nil, Config{Epochs: 1, Batch: 32, Checkpoint: ckpt, HealthSample: -1}); err != nil {
		t.Fatal(err)
	}
	saved, err := nn.LoadCheckpoint(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(newModel(t, "flatten dense(10)", tr, 1), tr, nil, Config{Epochs: 2, Batch: 32, Optimizer: "adam", Resume: saved, HealthSample: -1})
	if err == nil || !strings.Contains(err.Error(), "optimizer") {
		t.Errorf("got %v; want an error about the optimizer", err)
	}
}

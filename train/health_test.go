package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/nn"
)

// TestHealthIsLoggedEachEpoch trains a net with half its first ReLU dead
// from the start (two of conv1's four biases at -100): every epoch must write a health line
// to the metrics, and the log must carry the advice, with since when.
func TestHealthIsLoggedEachEpoch(t *testing.T) {
	tr, _ := mnistSubset(t, 256, 0)
	m := newModel(t, "conv(4,5) relu maxpool(2) conv(4,3) relu flatten dense(10)", tr, 1)
	b := m.Graph.Node("conv1").Layer.(*nn.Conv2D).B.Value.Data
	b[0], b[2] = -100, -100
	var log bytes.Buffer
	var seen []HealthInfo
	metrics := filepath.Join(t.TempDir(), "m.jsonl")
	cfg := Config{Epochs: 2, Batch: 64, Seed: 1, HealthSample: 100, Metrics: metrics, Log: &log,
		OnHealth: func(h HealthInfo) { seen = append(seen, h) }}
	if _, err := Run(m, tr, nil, cfg); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[1].Epoch != 2 || seen[1].Examples != 100 {
		t.Fatalf("OnHealth got %d reports: %+v", len(seen), seen)
	}
	relu1 := seen[0].Layer("relu1")
	if relu1 == nil || relu1.Dead != 2 || relu1.DeadFraction != 0.5 || relu1.Sparsity < 0.5 {
		t.Errorf("relu1 health %+v, want 2 of 4 channels dead", relu1)
	}
	dense := seen[1].Layer("dense1")
	if dense == nil || dense.GradNorm <= 0 || dense.UpdateRatio <= 0 || dense.WeightNorm <= 0 {
		t.Errorf("dense1 health %+v, want gradient, weight and update norms", dense)
	}
	out := log.String()
	for _, want := range []string{
		"health: relu1 (conv1): 50% of channels dead - try LeakyReLU",
		"health: relu1 (conv1): 50% of channels dead since epoch 1 - try LeakyReLU",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var h HealthInfo
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatal(err)
		}
		if h.Type == "health" {
			lines++
			if len(h.Layers) == 0 || len(h.Advice) == 0 {
				t.Errorf("health line without layers or advice: %s", sc.Text())
			}
		}
	}
	if lines != 2 {
		t.Errorf("%d health lines in the metrics, want 2", lines)
	}
}

func TestHealthCanBeTurnedOff(t *testing.T) {
	tr, _ := mnistSubset(t, 64, 0)
	m := newModel(t, "flatten dense(10)", tr, 1)
	called := false
	if _, err := Run(m, tr, nil, Config{Epochs: 1, HealthSample: -1, OnHealth: func(HealthInfo) { called = true }}); err != nil {
		t.Fatal(err)
	}
	if called {
		t.Error("health measured with HealthSample -1")
	}
}

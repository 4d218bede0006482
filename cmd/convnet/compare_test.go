package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/nn"
)

func TestRunningError(t *testing.T) {
	errs := []float64{1, 0.5, 0.2, 0.1, 0.0, 0.0}
	running, reach := runningError(errs, 2, []float64{0.25, 0.1, 0.01})
	want := []float64{1, 0.75, 0.35, 0.15, 0.05, 0}
	for i := range want {
		if d := running[i] - want[i]; d > 1e-12 || d < -1e-12 {
			t.Fatalf("running %v, want %v", running, want)
		}
	}
	if reach[0] != 4 || reach[1] != 5 || reach[2] != 6 {
		t.Errorf("steps to reach %v, want [4 5 6]", reach)
	}
	if _, reach := runningError([]float64{0.9, 0.8}, 50, []float64{0.25}); reach[0] != 0 {
		t.Errorf("reached 25%% at step %d with errors of 80%% and more", reach[0])
	}
}

func TestCommandLine(t *testing.T) {
	got := commandLine("compare", []string{"--model", "conv(4,3) relu flatten dense(10)", "--out", "docs/x"})
	if want := "convnet compare --model 'conv(4,3) relu flatten dense(10)' --out docs/x"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestCompareWritesReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	code, stdout, stderr := cli(t, "compare", "--activations", "relu,sigmoid", "--limit", "320", "--batch", "32", "--sample", "32",
		"--model", "conv(4,5) relu maxpool(2) flatten dense(16) relu dense(10)",
		"--deep", "conv(4,3,pad=1) relu conv(4,3,pad=1) relu maxpool(2) flatten dense(10)", "--deep-limit", "64", "--test-limit", "200", "--cost-time", "10ms", "--quiet", "--out", out)
	if code != 0 {
		t.Fatalf("compare: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []string{"report.md", "results.json", "error.png", "gradflow-model.png", "gradflow-deep.png", "sparsity.png", "cost.png", "accuracy.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, s := range []string{"convnet compare --activations relu,sigmoid --limit 320", "## 1. Convergence", "## 2. Gradient flow",
		"## 3. Sparsity", "## 4. Cost", "## 5. Test accuracy", "| sigmoid |", "![running training error against step](error.png)",
		"| 25% | vs relu | 10% | vs relu | 5% | vs relu |", "| model: first/last at init | after training | deep net: first/last at init | after training |",
		"| forward ns/element | backward ns/element |"} {
		if !strings.Contains(string(report), s) {
			t.Errorf("report lacks %q", s)
		}
	}
	var res struct {
		Steps int `json:"steps"`
		Runs  []struct {
			Activation string `json:"activation"`
			Model      struct {
				GradInit []layerNorm `json:"grad_init"`
				TestAcc  float64     `json:"test_accuracy"`
			} `json:"model"`
			Cost struct {
				Forward float64 `json:"forward_ns_per_element"`
			} `json:"cost"`
		} `json:"runs"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "results.json"))
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Steps != 10 || len(res.Runs) != 2 || res.Runs[1].Activation != "sigmoid" || len(res.Runs[0].Model.GradInit) != 3 ||
		res.Runs[0].Cost.Forward <= 0 || res.Runs[0].Model.TestAcc <= 0 {
		t.Errorf("results.json: %s", b)
	}
}

func TestCompareBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "--activations", "relu,swish"}, `--activations takes relu, leakyrelu, elu, selu, gelu, silu, sigmoid or tanh, not "swish"`},
		{[]string{"compare", "--activations", "softmax"}, `not "softmax"`},
		{[]string{"compare", "--activations", "prelu"}, `not "prelu"`},
		{[]string{"compare", "--epochs", "0"}, "--epochs"},
		{[]string{"compare", "--model", "conv(4,3) relu dense(7)", "--limit", "10"}, "model spec"},
	} {
		code, _, errOut := cli(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to mention %q", c.args, code, errOut, c.want)
		}
	}
}

// TestDeepPlainNet holds compare's gradient-flow net to what issue 4 asks
// for: at least 8 conv layers, plain (no batch norm, no shortcuts), and
// buildable with every activation compare offers.
func TestDeepPlainNet(t *testing.T) {
	for _, act := range []string{"relu", "sigmoid", "tanh", "leakyrelu"} {
		g, err := nn.BuildGraph(DeepPlainNet, []int{1, 28, 28}, nn.SpecOptions{Activation: act})
		if err != nil {
			t.Fatal(err)
		}
		convs := 0
		for _, n := range g.Nodes[1:] {
			switch n.Layer.Type() {
			case "conv":
				convs++
			case "batchnorm", "add":
				t.Errorf("the deep plain net has a %s layer", n.Layer.Type())
			}
		}
		if convs < 8 {
			t.Errorf("the deep plain net has %d conv layers, want at least 8", convs)
		}
		if g.Node(act+"1") == nil {
			t.Errorf("--activation %s left no %s1 layer", act, act)
		}
	}
}

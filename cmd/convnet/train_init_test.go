package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// finetuneDir holds PyTorch-exported models that onnx/testdata/export_finetune.py
// wrote for fine-tuning: an MLP on (N, 784) and a CNN with Transpose,
// Reshape, Pad, Softmax on inner axes and Sub/Mul/Div of computed values.
const finetuneDir = "../../onnx/testdata/finetune"

// TestFineTuneForeignResume fine-tunes PyTorch models with --init, 2
// epochs straight, and 1 epoch then 1 more resumed from its checkpoint:
// every step's loss must match, as for native models. The schedule counts
// steps, not the run's length, so the first run's one epoch is the
// straight run's first. Two threads make the graph run data-parallel on
// layer replicas.
func TestFineTuneForeignResume(t *testing.T) {
	for _, name := range []string{"mlp", "ops"} {
		model := filepath.Join(finetuneDir, name, "model.onnx")
		dir := t.TempDir()
		run := func(out, epochs string, extra ...string) string {
			t.Helper()
			args := append([]string{"train", "--init", model, "--limit", "256", "--batch", "32", "--epochs", epochs, "--quiet",
				"--health", "0", "--threads", "2", "--lr", "0.05", "--schedule", "step:5:0.5", "--out", filepath.Join(dir, out+".onnx")}, extra...)
			code, stdout, stderr := cli(t, args...)
			if code != 0 {
				t.Fatalf("%s: train %v: exit %d\n%s%s", name, extra, code, stdout, stderr)
			}
			return stdout
		}
		run("straight", "2")
		run("resumed", "1")
		if out := run("resumed", "2", "--resume", filepath.Join(dir, "resumed.ckpt")); !strings.Contains(out, "epoch 2/2") || strings.Contains(out, "epoch 1/2") {
			t.Errorf("%s: the resumed run did not train epoch 2 alone:\n%s", name, out)
		}
		straight, straightEpochs := trainLosses(t, filepath.Join(dir, "straight.metrics.jsonl"))
		resumed, _ := trainLosses(t, filepath.Join(dir, "resumed.metrics.jsonl"))
		if len(straight) != 16 || len(resumed) != len(straight) {
			t.Fatalf("%s: %d steps straight, %d with a resume; want 16", name, len(straight), len(resumed))
		}
		for i := range straight {
			if resumed[i] != straight[i] {
				t.Fatalf("%s: step %d: loss %v after resuming, %v straight", name, i+1, resumed[i], straight[i])
			}
		}
		if !(straightEpochs[1] < straightEpochs[0]) {
			t.Errorf("%s: the training loss went from %v to %v", name, straightEpochs[0], straightEpochs[1])
		}
		// The fine-tuned model is a convnet model: it takes images.
		if code, stdout, stderr := cli(t, "eval", "--model", filepath.Join(dir, "resumed.onnx"), "--json"); code != 0 || !strings.Contains(stdout, `"accuracy"`) {
			t.Errorf("%s: eval of the fine-tuned model: exit %d %s %s", name, code, stdout, stderr)
		}
	}
}

// trainLosses reads the step losses and the epochs' training losses of a
// metrics file, as written (JSON numbers round-trip exactly).
func trainLosses(t *testing.T, path string) (steps, epochs []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch string(line["type"]) {
		case `"step"`:
			steps = append(steps, string(line["loss"]))
		case `"epoch"`:
			epochs = append(epochs, string(line["train_loss"]))
		}
	}
	return steps, epochs
}

// TestFineTuneBadInput checks the errors of --init and --resume with
// models from elsewhere.
func TestFineTuneBadInput(t *testing.T) {
	dir := t.TempDir()
	mlp := filepath.Join(finetuneDir, "mlp", "model.onnx")
	args := []string{"train", "--limit", "64", "--batch", "32", "--epochs", "1", "--quiet", "--health", "0", "--out", filepath.Join(dir, "native.onnx")}
	if code, _, stderr := cli(t, append(args, "--model", "flatten dense(10)")...); code != 0 {
		t.Fatalf("native training: %s", stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		// A checkpoint of an imported model needs that model to load into.
		{[]string{"--init", mlp, "--out", filepath.Join(dir, "mlp.onnx")}, ""},
		{[]string{"--epochs", "2", "--resume", filepath.Join(dir, "mlp.ckpt")}, "imported from ONNX"},
		// Another model's checkpoint.
		{[]string{"--epochs", "2", "--init", mlp, "--resume", filepath.Join(dir, "native.ckpt")}, "it holds another model"},
		// The data's examples must fit the model's input.
		{[]string{"--init", "../../onnx/testdata/pytorch/resblock_bn/model.onnx"}, "the model takes images of shape (3, 16, 16), the data's are (1, 28, 28)"},
		{[]string{"--init", filepath.Join(finetuneDir, "mlp", "test_data_set_0", "input_0.pb")}, "not a model file"},
	} {
		code, _, stderr := cli(t, append(append([]string(nil), args...), tc.args...)...)
		switch {
		case tc.want == "" && code != 0:
			t.Fatalf("%v: %s", tc.args, stderr)
		case tc.want != "" && (code == 0 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0):
			t.Errorf("%v: exit %d, %q; want one line saying %q", tc.args, code, stderr, tc.want)
		}
	}
}

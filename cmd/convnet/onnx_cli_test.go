package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/onnx"
)

const lenetDir = "../../onnx/testdata/pytorch/lenet"

func TestRunWritesOutputs(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := cli(t, "run", "--model", filepath.Join(lenetDir, "model.onnx"),
		"--input", filepath.Join(lenetDir, "test_data_set_0", "input_0.pb"), "--out", out)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "output_0.pb") {
		t.Errorf("run output: %q", stdout)
	}
	got, err := onnx.LoadTensor(filepath.Join(out, "output_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := onnx.LoadTensor(filepath.Join(lenetDir, "test_data_set_0", "output_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := onnx.Compare(got, want); err != nil || d > 1e-4 {
		t.Errorf("output differs from PyTorch's: %v (max abs diff %g)", err, d)
	}
}

func TestConformanceCommand(t *testing.T) {
	code, stdout, stderr := cli(t, "conformance", "../../onnx/testdata/pytorch")
	if code != 0 || !strings.Contains(stdout, "6 cases: 6 pass, 0 fail, 0 unsupported") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = cli(t, "conformance", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "no ONNX test cases") {
		t.Errorf("empty folder: exit %d, %q", code, stderr)
	}
}

// TestONNXIsTheModelFormat trains to ONNX, evaluates the file, resumes the
// run from its checkpoint, and fine-tunes a PyTorch-exported LeNet.
func TestONNXIsTheModelFormat(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.onnx")
	args := []string{"train", "--limit", "256", "--batch", "64", "--quiet", "--model", "conv(4,5) relu maxpool(2) flatten dense(10)", "--out", model}
	if code, _, stderr := cli(t, append(args, "--epochs", "1")...); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onnx.ReadModel(b); err != nil {
		t.Fatalf("train --out did not write ONNX: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.ckpt")); err != nil {
		t.Errorf("no checkpoint beside the model: %v", err)
	}
	if code, stdout, stderr := cli(t, "eval", "--model", model, "--json"); code != 0 || !strings.Contains(stdout, `"accuracy"`) {
		t.Errorf("eval of the ONNX model: exit %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr := cli(t, "summary", "--model", model); code != 0 || !strings.Contains(stdout, "conv(4,5)") {
		t.Errorf("summary of the ONNX model: exit %d %s %s", code, stdout, stderr)
	}
	code, stdout, stderr := cli(t, append(args, "--epochs", "2", "--resume", filepath.Join(dir, "m.ckpt"))...)
	if code != 0 || !strings.Contains(stdout, "epoch 2/2") || strings.Contains(stdout, "epoch 1/2") {
		t.Errorf("resume: exit %d\n%s%s", code, stdout, stderr)
	}

	tuned := filepath.Join(dir, "tuned.onnx")
	code, stdout, stderr = cli(t, "train", "--init", filepath.Join(lenetDir, "model.onnx"), "--limit", "128", "--epochs", "1", "--quiet", "--out", tuned)
	if code != 0 {
		t.Fatalf("fine-tuning a PyTorch model: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := cli(t, "eval", "--model", tuned); code != 0 {
		t.Errorf("eval of the fine-tuned model: %s", stderr)
	}
}

func TestONNXBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.onnx")
	os.WriteFile(junk, []byte("\x08\x07\x12\xff\xff"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--model", junk, "--out", dir}, "junk.onnx"},
		{[]string{"run", "--model", filepath.Join(lenetDir, "model.onnx"), "--out", dir}, "takes 1 inputs"},
		{[]string{"run", "--model", filepath.Join(lenetDir, "model.onnx"), "--input", junk, "--out", dir}, "junk.onnx"},
		{[]string{"run", "--model", filepath.Join(lenetDir, "model.onnx"), "--input", filepath.Join(lenetDir, "model.onnx"), "--out", dir}, "onnx:"},
		{[]string{"run", "--out", dir}, "--model and --out are required"},
		{[]string{"eval", "--model", junk}, "junk.onnx"},
		{[]string{"conformance"}, "no folders given"},
		{[]string{"train", "--resume", junk, "--limit", "64"}, "checkpoint"},
	} {
		code, stdout, stderr := cli(t, tc.args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code == 0 || !strings.Contains(stderr, tc.want) || len(lines) > 2 {
			t.Errorf("%v: exit %d, stderr %q (stdout %q); want a one-line error containing %q", tc.args, code, stderr, stdout, tc.want)
		}
		if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
			t.Errorf("%v panicked: %s", tc.args, stderr)
		}
	}
}

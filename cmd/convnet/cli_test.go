package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/kernel"
)

// cli runs the command in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {"help", c.name}} {
			code, out, _ := cli(t, args...)
			if code != 0 || !strings.HasPrefix(out, "Usage: convnet "+c.name) {
				t.Errorf("%v: exit %d, output %q", args, code, out)
			}
		}
	}
	code, out, _ := cli(t)
	if code != 0 || !strings.Contains(out, "Commands:") {
		t.Errorf("no args: exit %d, %q", code, out)
	}
	code, _, errOut := cli(t, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, %q", code, errOut)
	}
}

// trainSmall trains a small model on the first examples of MNIST and
// returns its path.
func trainSmall(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "small.convnet")
	code, stdout, stderr := cli(t, "train", "--limit", "2000", "--epochs", "1", "--batch", "32", "--quiet",
		"--model", "conv(4,5) relu maxpool(2) flatten dense(10)", "--out", out)
	if code != 0 {
		t.Fatalf("train: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "test accuracy") {
		t.Fatalf("train output lacks the test accuracy:\n%s", stdout)
	}
	if _, err := os.Stat(strings.TrimSuffix(out, ".convnet") + ".metrics.jsonl"); err != nil {
		t.Errorf("no metrics file: %v", err)
	}
	return out
}

func TestTrainEvalPredictSummary(t *testing.T) {
	model := trainSmall(t)

	code, stdout, stderr := cli(t, "eval", "--model", model, "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	var e struct {
		Accuracy  float64 `json:"accuracy"`
		Confusion [][]int `json:"confusion"`
	}
	if err := json.Unmarshal([]byte(stdout), &e); err != nil {
		t.Fatalf("eval --json output is not one JSON object: %v\n%s", err, stdout)
	}
	if e.Accuracy < 0.5 || e.Accuracy > 1 || len(e.Confusion) != 10 {
		t.Errorf("eval: accuracy %v, %d confusion rows", e.Accuracy, len(e.Confusion))
	}
	code, stdout, _ = cli(t, "eval", "--model", model)
	if code != 0 || !strings.Contains(stdout, "confusion matrix") || !strings.Contains(stdout, "accuracy") {
		t.Errorf("eval tables: exit %d\n%s", code, stdout)
	}

	// Write three MNIST test digits as PNG files and predict them.
	_, test, err := data.Open("mnist", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	right := 0
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, "digit"+string(rune('0'+i))+".png")
		writeGrayPNG(t, p, test.Image(i), 28, 28)
		paths = append(paths, p)
	}
	code, stdout, stderr = cli(t, append([]string{"predict", "--model", model, "--top", "2", "--json"}, paths...)...)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	for i := 0; i < 3; i++ {
		var p prediction
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("predict output %d: %v", i, err)
		}
		if len(p.Top) != 2 || p.Top[0].Prob < p.Top[1].Prob || p.Inverted {
			t.Errorf("prediction %+v", p)
		}
		if p.Top[0].Index == int(test.Labels[i]) {
			right++
		}
	}
	if right < 2 {
		t.Errorf("only %d of 3 easy digits predicted right", right)
	}

	code, stdout, _ = cli(t, "summary", "--model", model)
	if code != 0 || !strings.Contains(stdout, "conv(4,5)") || !strings.Contains(stdout, "total params: 5,874") {
		t.Errorf("summary of a saved model: exit %d\n%s", code, stdout)
	}
}

func writeGrayPNG(t *testing.T, path string, pix []uint8, w, h int) {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range pix {
		img.SetGray(i%w, i/w, color.Gray{v})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBadInputIsOneLineError runs the CLI on bad input of every kind the
// engine issue names and checks for a one-line error, a non-zero exit and
// no panic.
func TestBadInputIsOneLineError(t *testing.T) {
	dir := t.TempDir()
	badMagic := filepath.Join(dir, "badmagic")
	os.MkdirAll(badMagic, 0o755)
	writeIDXSet(t, badMagic, 0x0000ABCD, 10, 10)
	truncated := filepath.Join(dir, "truncated")
	os.MkdirAll(truncated, 0o755)
	writeIDXSet(t, truncated, 0x00000803, 10, 10)
	os.WriteFile(filepath.Join(truncated, "train-images-idx3-ubyte"), []byte{0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3}, 0o644)
	disagree := filepath.Join(dir, "disagree")
	os.MkdirAll(disagree, 0o755)
	writeIDXSet(t, disagree, 0x00000803, 10, 7)
	brokenONNX := filepath.Join(dir, "broken.onnx")
	os.WriteFile(brokenONNX, []byte{0x08, 0x07, 0x12, 0xff, 0xff}, 0o644)
	notModel := filepath.Join(dir, "notmodel.convnet")
	os.WriteFile(notModel, []byte("hello, I am not a model"), 0o644)
	other := filepath.Join(dir, "other.convnet")
	if code, _, errOut := cli(t, "train", "--epochs", "1", "--limit", "64", "--quiet", "--model", "flatten dense(10)", "--out", other); code != 0 {
		t.Fatalf("training a tiny model: %s", errOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", "mnist:" + filepath.Join(dir, "nowhere")}, "missing"},
		{[]string{"train", "--data", "mnist:" + badMagic}, "bad magic"},
		{[]string{"train", "--data", "mnist:" + truncated}, "truncated"},
		{[]string{"train", "--data", "mnist:" + disagree}, "7 labels but"},
		{[]string{"train", "--data", "imagenet"}, "unknown dataset"},
		{[]string{"train", "--model", "conv(6,5) relu frob"}, `unknown layer "frob"`},
		{[]string{"train", "--model", "conv(6,5) flatten dense(120,in=400)"}, "dense(120) expects 400 inputs, gets 3456"},
		{[]string{"train", "--model", "conv(6,5) dense(10)"}, "put flatten before it"},
		{[]string{"train", "--model", "flatten dense(7)"}, "end the model with dense(10)"},
		{[]string{"train", "--init", other, "--limit", "64"}, "checkpoint is from another model"},
		{[]string{"train", "--optimizer", "adagrad"}, `unknown optimizer "adagrad"`},
		{[]string{"train", "--schedule", "sawtooth"}, "sawtooth"},
		{[]string{"eval", "--model", notModel}, "not a convnet checkpoint"},
		{[]string{"eval", "--model", filepath.Join(dir, "absent.convnet")}, "no such file"},
		{[]string{"eval", "--model", other, "--data", "mnist:" + badMagic}, "bad magic"},
		{[]string{"predict", "--model", other, notModel}, "notmodel.convnet"},
		{[]string{"predict", "--model", other}, "no images given"},
		{[]string{"train", "--epochs", "x"}, `invalid value "x"`},
		// Flags the training loop would read as "default" or ignore.
		{[]string{"train", "--epochs", "0"}, "--epochs must be at least 1"},
		{[]string{"train", "--batch", "0"}, "--batch must be at least 1"},
		{[]string{"train", "--crop", "-2"}, "--crop must be 0 or more"},
		{[]string{"train", "--limit", "-5"}, "--limit must be 0 or more"},
		// A layer too big to allocate, a spec file that is not there, a
		// corrupt saved model.
		{[]string{"summary", "--model", "flatten dense(99999999999) dense(10)"}, "dense(99999999999): needs 78399999999216 parameter values"},
		{[]string{"train", "--model", filepath.Join(dir, "lenet.txt")}, "lenet.txt: no such file"},
		{[]string{"summary", "--model", brokenONNX}, "broken.onnx is not a model file"},
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

// TestActivationFlagTakesHiddenActivationsOnly: --activation softmax would
// put a softmax after every hidden layer, so it is a usage error (exit 2)
// that names what the flag takes. The train run is tiny so that, were the
// flag accepted, the test would fail fast instead of training on MNIST.
func TestActivationFlagTakesHiddenActivationsOnly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.onnx")
	const want = `--activation takes relu, leakyrelu, prelu, elu, selu, gelu, silu, sigmoid or tanh, not "softmax"`
	for _, args := range [][]string{
		{"train", "--activation", "softmax", "--model", "flatten dense(16) relu dense(10)", "--epochs", "1", "--limit", "64", "--quiet", "--out", out},
		{"summary", "--activation", "softmax"},
	} {
		if code, _, stderr := cli(t, args...); code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", args, code, stderr, want)
		}
	}
}

// writeIDXSet writes the four MNIST IDX files into dir: n images of 28×28
// whose image file has the given magic, and nLabels labels.
func writeIDXSet(t *testing.T, dir string, magic uint32, n, nLabels int) {
	t.Helper()
	img := binary.BigEndian.AppendUint32(nil, magic)
	img = binary.BigEndian.AppendUint32(img, uint32(n))
	img = binary.BigEndian.AppendUint32(img, 28)
	img = binary.BigEndian.AppendUint32(img, 28)
	img = append(img, make([]byte, n*28*28)...)
	lab := binary.BigEndian.AppendUint32(nil, 0x00000801)
	lab = binary.BigEndian.AppendUint32(lab, uint32(nLabels))
	lab = append(lab, make([]byte, nLabels)...)
	for _, split := range []string{"train", "t10k"} {
		os.WriteFile(filepath.Join(dir, split+"-images-idx3-ubyte"), img, 0o644)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(lab)
		zw.Close()
		os.WriteFile(filepath.Join(dir, split+"-labels-idx1-ubyte.gz"), gz.Bytes(), 0o644)
	}
}

// TestTrainFlagsDoWhatTheySay checks through the metrics file and the
// log that --epochs, --batch, --lr, --optimizer, --seed, --threads,
// --activation and --out reach the training run: the same seed gives the
// same losses bit for bit, another seed or optimizer other losses.
func TestTrainFlagsDoWhatTheySay(t *testing.T) {
	t.Cleanup(func() { kernel.SetThreads(0) })
	dir := t.TempDir()
	type step struct {
		Type  string  `json:"type"`
		Epoch int     `json:"epoch"`
		Loss  float64 `json:"loss"`
		LR    float64 `json:"lr"`
	}
	train := func(name string, extra ...string) (stdout string, steps []step) {
		t.Helper()
		out := filepath.Join(dir, name+".onnx")
		args := append([]string{"train", "--limit", "96", "--batch", "32", "--epochs", "2", "--lr", "0.01", "--schedule", "constant",
			"--optimizer", "sgd", "--seed", "3", "--threads", "1", "--health", "0", "--quiet",
			"--model", "flatten dense(16) relu dense(10)", "--out", out}, extra...)
		code, stdout, stderr := cli(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", extra, code, stdout, stderr)
		}
		if _, err := loadModel(out); err != nil {
			t.Fatalf("%v: the model saved to --out does not load: %v", extra, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, name+".metrics.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var s step
			if err := json.Unmarshal([]byte(line), &s); err != nil {
				t.Fatalf("metrics line %q: %v", line, err)
			}
			if s.Type == "step" {
				steps = append(steps, s)
			}
		}
		return stdout, steps
	}
	losses := func(steps []step) []float64 {
		var l []float64
		for _, s := range steps {
			l = append(l, s.Loss)
		}
		return l
	}

	stdout, base := train("base")
	if !strings.Contains(stdout, "training 2 epochs, batch 32, sgd lr 0.01 (constant), seed 3, 1 thread\n") {
		t.Errorf("the run's settings line does not echo the flags:\n%s", stdout)
	}
	if len(base) != 2*3 || base[len(base)-1].Epoch != 2 {
		t.Fatalf("%d steps ending in epoch %d; want 3 steps of 32 in each of 2 epochs", len(base), base[len(base)-1].Epoch)
	}
	for _, s := range base {
		if float32(s.LR) != 0.01 {
			t.Errorf("step lr %v, want --lr 0.01", s.LR)
		}
	}
	_, again := train("again")
	if !slices.Equal(losses(again), losses(base)) {
		t.Errorf("the same --seed gave other losses:\n%v\n%v", losses(again), losses(base))
	}
	if _, other := train("seed4", "--seed", "4"); losses(other)[0] == losses(base)[0] {
		t.Errorf("--seed 4 gave the first loss of --seed 3: %v", losses(other)[0])
	}
	if _, adam := train("adam", "--optimizer", "adam"); slices.Equal(losses(adam)[1:], losses(base)[1:]) {
		t.Errorf("--optimizer adam trained as sgd did: %v", losses(adam))
	}
	stdout, _ = train("sigmoid", "--activation", "sigmoid", "--threads", "2")
	if !strings.Contains(stdout, "model: flatten dense(16) sigmoid dense(10) ") || !strings.Contains(stdout, ", 2 threads\n") {
		t.Errorf("--activation sigmoid --threads 2:\n%s", stdout)
	}
}

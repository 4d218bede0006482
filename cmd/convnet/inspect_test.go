package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/data"
)

func TestInspectAndStats(t *testing.T) {
	model := trainSmall(t) // conv(4,5) relu maxpool(2) flatten dense(10)
	_, test, err := data.Open("mnist", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "seven.png")
	writeGrayPNG(t, img, test.Image(0), 28, 28) // a 7
	out := filepath.Join(t.TempDir(), "inspect")
	code, stdout, stderr := cli(t, "inspect", "--model", model, "--image", img, "--out", out)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, img+": 7 ") {
		t.Errorf("inspect output %q: want the 7 predicted first", stdout)
	}
	want := []string{"index.html", "predictions.json", "input.png", "01-conv1.png", "01-conv1-filters.png", "02-relu1.png",
		"03-maxpool1.png", "saliency.png", "gradcam.png"}
	for _, f := range want {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	for _, s := range []string{`src="01-conv1.png"`, "conv1 <code>conv(4,5)</code> output (4, 24, 24)", `src="gradcam.png"`, "Top-5 prediction"} {
		if !strings.Contains(string(page), s) {
			t.Errorf("index.html lacks %q", s)
		}
	}
	var top []struct {
		Class string  `json:"class"`
		Prob  float64 `json:"probability"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "predictions.json"))
	if err := json.Unmarshal(b, &top); err != nil || len(top) != 5 || top[0].Class != "7" {
		t.Errorf("predictions.json: %v %s", err, b)
	}

	code, stdout, stderr = cli(t, "stats", "--model", model, "--sample", "200")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, stderr)
	}
	for _, s := range []string{"on 200 test examples", "sparsity", "dead", "relu1", "(4, 24, 24)", "dense1"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stats output lacks %q:\n%s", s, stdout)
		}
	}
	code, stdout, _ = cli(t, "stats", "--model", model, "--sample", "100", "--json")
	var h struct {
		Examples int `json:"examples"`
		Layers   []struct {
			Layer    string  `json:"layer"`
			GradNorm float64 `json:"grad_norm"`
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(stdout), &h); code != 0 || err != nil || h.Examples != 100 || len(h.Layers) != 4 || h.Layers[0].GradNorm <= 0 {
		t.Errorf("stats --json: exit %d, %v, %+v", code, err, h)
	}

	// Bad input: one line, non-zero exit.
	notImage := filepath.Join(t.TempDir(), "x.png")
	os.WriteFile(notImage, []byte("not a png"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "--model", "missing.convnet", "--image", img}, "missing.convnet"},
		{[]string{"inspect", "--model", model, "--image", notImage, "--out", out}, "x.png"},
		{[]string{"inspect", "--model", model}, "--image is required"},
		{[]string{"inspect", "--model", model, "--image", img, "--class", "cat"}, `--class "cat"`},
		{[]string{"stats", "--model", "missing.convnet"}, "missing.convnet"},
		{[]string{"stats", "--model", model, "--split", "valid"}, "--split"},
	} {
		code, _, errOut := cli(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q, want it to mention %q", c.args, code, errOut, c.want)
		}
	}
}

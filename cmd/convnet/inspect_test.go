package main

import (
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/probe"
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

// TestInspectRGBModel runs inspect on a model that reads colour images, for
// a chosen class: the first conv layer's filters are drawn in colour, the
// second's are on the page (probe's TestFilterGridColours checks their
// tiles), and both saliency maps explain the class asked for.
func TestInspectRGBModel(t *testing.T) {
	dir := t.TempDir()
	m, err := nn.NewModel("conv(4,3) relu maxpool(2) conv(3,3) relu flatten dense(2)", []int{3, 12, 12}, []string{"red", "blue"}, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(1)
	model := filepath.Join(dir, "rgb.onnx")
	if err := saveModel(model, m); err != nil {
		t.Fatal(err)
	}
	src := image.NewRGBA(image.Rect(0, 0, 12, 12))
	for i := range 12 * 12 {
		src.SetRGBA(i%12, i/12, color.RGBA{uint8(20 * (i % 12)), 40, uint8(20 * (i / 12)), 255})
	}
	img := filepath.Join(dir, "colour.png")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, src); err != nil {
		t.Fatal(err)
	}
	f.Close()

	out := filepath.Join(dir, "inspect")
	code, _, stderr := cli(t, "inspect", "--model", model, "--image", img, "--out", out, "--class", "blue")
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	// conv1 reads the RGB input: one colour tile per filter, as FilterGrid
	// draws them with rgb set, not a tile per input channel.
	got := readPNG(t, filepath.Join(out, "01-conv1-filters.png"))
	want := probe.FilterGrid("conv1", "conv(4,3)", m.Graph.Node("conv1").Layer.(*nn.Conv2D).W.Value, true)
	if got.Bounds() != want.Bounds() {
		t.Fatalf("conv1 filters drawn %v, want the RGB tiles' %v", got.Bounds(), want.Bounds())
	}
	for y := range want.Bounds().Dy() {
		for x := range want.Bounds().Dx() {
			if color.RGBAModel.Convert(got.At(x, y)) != want.RGBAAt(x, y) {
				t.Fatalf("conv1 filters differ from the RGB tiles at (%d, %d)", x, y)
			}
		}
	}
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	for _, s := range []string{`src="04-conv2-filters.png"`, "conv2 <code>conv(3,3)</code> output (3, 3, 3)",
		"Grad-CAM for class blue on relu2", "saliency |d score(blue) / d input|"} {
		if !strings.Contains(string(page), s) {
			t.Errorf("index.html lacks %q", s)
		}
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

package probe

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// edgeModel is a conv layer with one 3×3 vertical-edge filter (Prewitt:
// -1 0 1 on every row) on 8×8 grey images, followed by a tiny classifier.
func edgeModel(t *testing.T) *nn.Model {
	t.Helper()
	m, err := nn.NewModel("conv(1,3,bias=false) relu flatten dense(2)", []int{1, 8, 8}, []string{"a", "b"}, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(1)
	w := m.Graph.Node("conv1").Layer.(*nn.Conv2D).W.Value.Data
	copy(w, []float32{-1, 0, 1, -1, 0, 1, -1, 0, 1})
	return m
}

// stepImage is dark on the left four columns and bright on the right four:
// one vertical edge between columns 3 and 4.
func stepImage() []float32 {
	x := make([]float32, 64)
	for i := range 8 {
		for j := 4; j < 8; j++ {
			x[i*8+j] = 1
		}
	}
	return x
}

func TestVerticalEdgeFilterPeaksOnTheEdge(t *testing.T) {
	m := edgeModel(t)
	rec := Record(m, stepImage())
	conv := rec.Layer("conv1")
	if conv == nil || !tensor.EqualShape(conv.Shape, []int{1, 6, 6}) {
		t.Fatalf("conv1 recorded as %+v", conv)
	}
	// Output column x sees input columns x..x+2, so only x = 2 and 3
	// straddle the edge; each sums three rows of (1 - 0).
	for i := range 6 {
		for j := range 6 {
			want := float32(0)
			if j == 2 || j == 3 {
				want = 3
			}
			if got := conv.Map(0)[i*6+j]; got != want {
				t.Errorf("map[%d][%d] = %v, want %v", i, j, got, want)
			}
		}
	}
	if len(rec.Layers) != 4 || rec.Layers[1].Name != "relu1" || len(rec.Probs) != 2 {
		t.Errorf("recording has layers %v and %d probabilities", names(rec), len(rec.Probs))
	}
	// The drawn tile is brightest (viridis yellow) on the edge columns.
	img := MapGrid(conv)
	s := upscale(6, minTile)
	top := pad + lineH + pad + lineH + 2
	edge := img.RGBAAt(pad+2*s+s/2, top+s/2)
	flat := img.RGBAAt(pad+s/2, top+s/2)
	if edge != Viridis.At(1) || flat != Viridis.At(0) {
		t.Errorf("tile colours: edge %v (want %v), flat %v (want %v)", edge, Viridis.At(1), flat, Viridis.At(0))
	}
}

func names(r *Recording) []string {
	var s []string
	for _, l := range r.Layers {
		s = append(s, l.Name)
	}
	return s
}

func TestReLUFedNegativeInputIsAllDead(t *testing.T) {
	for _, shape := range [][]int{{4}, {3, 5, 5}} {
		g := nn.NewGraph(shape...)
		g.MustAdd(nn.MustActivation("relu"))
		x := tensor.New(append([]int{16}, shape...)...)
		for i := range x.Data {
			x.Data[i] = -0.5 - float32(i%7)
		}
		h := Measure(g, x, nil, 5) // batches of 5: 5+5+5+1
		l := h.Layer("relu1")
		if l.Sparsity != 1 || l.DeadFraction != 1 || l.Dead != shape[0] || l.Units != shape[0] {
			t.Errorf("shape %v: sparsity %v, dead %d/%d (%v), want 1 and all", shape, l.Sparsity, l.Dead, l.Units, l.DeadFraction)
		}
		adv := (&Advisor{}).Advise(1, h)
		if len(adv) != 1 || !strings.Contains(adv[0], "100% of") || !strings.Contains(adv[0], "dead") {
			t.Errorf("advice %q", adv)
		}
	}
}

func TestHealthCountsAreExact(t *testing.T) {
	// Two channels of 2×2: channel 0 is zero for example 0 only, channel 1
	// is zero for both examples: one dead channel of two, 6 zeros of 8.
	g := nn.NewGraph(2, 2, 2)
	g.MustAdd(nn.MustActivation("relu"))
	x := tensor.FromData([]float32{
		-1, -1, -1, -1, -1, -2, -3, -4,
		2, -1, -1, 4, -1, -1, -1, -1,
	}, 2, 2, 2, 2)
	l := Measure(g, x, nil, 0).Layer("relu1")
	if l.Dead != 1 || l.Units != 2 || l.Sparsity != 14.0/16 {
		t.Errorf("dead %d/%d sparsity %v, want 1/2 and 14/16", l.Dead, l.Units, l.Sparsity)
	}
	if math.Abs(l.Mean-6.0/16) > 1e-12 || math.Abs(l.Std-math.Sqrt(20.0/16-l.Mean*l.Mean)) > 1e-12 {
		t.Errorf("mean %v std %v", l.Mean, l.Std)
	}

	g = nn.NewGraph(4)
	g.MustAdd(nn.MustActivation("sigmoid"))
	g.MustAdd(nn.MustActivation("tanh"))
	x = tensor.FromData([]float32{-10, -1, 0, 10}, 1, 4)
	h := Measure(g, x, nil, 0)
	// σ: 4.5e-5, 0.27, 0.5, 0.99995 -> 2 of 4 saturated; tanh of those: none.
	if s := h.Layer("sigmoid1").Saturation; s != 0.5 {
		t.Errorf("sigmoid saturation %v, want 0.5", s)
	}
	if s := h.Layer("tanh1").Saturation; s != 0 {
		t.Errorf("tanh saturation %v, want 0", s)
	}
}

// stack builds depth conv layers of 8 3×3 filters with act after each and
// a dense classifier, on 8×8 grey images.
func stack(t *testing.T, act, init string, depth int) *nn.Graph {
	t.Helper()
	spec := ""
	for range depth - 1 {
		spec += "conv(8,3,pad=1" + init + ") " + act + " "
	}
	spec += "flatten dense(10" + init + ")"
	g, err := nn.BuildGraph(spec, []int{1, 8, 8}, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g.Init(1)
	return g
}

func randomSet(n int) (*tensor.Tensor, []int) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := tensor.New(n, 1, 8, 8)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	return x, labels
}

func TestGradientFlowSigmoidVanishesReLUDoesNot(t *testing.T) {
	x, labels := randomSet(128)
	sig := Measure(stack(t, "sigmoid", "", 10), x, labels, 64)
	relu := Measure(stack(t, "relu", ",init=he", 10), x, labels, 64)
	if n := len(sig.Weighted()); n != 10 {
		t.Fatalf("%d weighted layers, want 10", n)
	}
	rs, rr := sig.GradRatio(), relu.GradRatio()
	t.Logf("first/last weight-gradient ratio: sigmoid %.3g, relu (He) %.3g", rs, rr)
	if !(rs > 0 && rs < 1e-4) {
		t.Errorf("sigmoid stack: ratio %.3g, want below 1e-4", rs)
	}
	if !(rr > 1e-2 && rr < 1e2) {
		t.Errorf("relu stack with He init: ratio %.3g, want within 100x of 1", rr)
	}
	adv := (&Advisor{}).Advise(0, sig)
	if len(adv) == 0 || !strings.HasPrefix(adv[0], "conv1: weight gradient") || !strings.Contains(adv[0], "vanishing gradients") {
		t.Errorf("sigmoid advice: %q", adv)
	}
	for _, a := range (&Advisor{}).Advise(0, relu) {
		if strings.Contains(a, "vanishing") {
			t.Errorf("relu advice: %q", a)
		}
	}
}

// TestGradNormIsTheFullSetGradient checks Measure's batch-weighted sum
// against one pass over all examples.
func TestGradNormIsTheFullSetGradient(t *testing.T) {
	x, labels := randomSet(37)
	g := stack(t, "tanh", "", 3)
	whole := Measure(g, x, labels, 1000)
	parts := Measure(g, x, labels, 8)
	for i, l := range whole.Layers {
		if d := math.Abs(l.GradNorm - parts.Layers[i].GradNorm); d > 1e-5*l.GradNorm {
			t.Errorf("%s: gradient norm %v in one batch, %v in batches of 8", l.Name, l.GradNorm, parts.Layers[i].GradNorm)
		}
	}
}

func TestAdvisorRemembersSinceWhen(t *testing.T) {
	h := &Health{Layers: []LayerHealth{{Name: "relu2", Type: "relu", After: "conv2", Shape: []int{16, 10, 10}, Units: 16, Dead: 7, DeadFraction: 7.0 / 16}}}
	var a Advisor
	if got := a.Advise(2, h); len(got) != 1 || got[0] != "relu2 (conv2): 44% of channels dead - try LeakyReLU, He init or a lower learning rate" {
		t.Errorf("epoch 2: %q", got)
	}
	if got := a.Advise(3, h); len(got) != 1 || !strings.Contains(got[0], "dead since epoch 2 - ") {
		t.Errorf("epoch 3: %q", got)
	}
	if got := a.Advise(4, &Health{}); len(got) != 0 {
		t.Errorf("healthy epoch: %q", got)
	}
	if got := a.Advise(5, h); len(got) != 1 || strings.Contains(got[0], "since") {
		t.Errorf("epoch 5, the problem back: %q", got)
	}
}

func TestSaliencyAndGradCAMFindTheEdge(t *testing.T) {
	m := edgeModel(t)
	// Make class 1 read the edge columns of the rectified map only.
	d := m.Graph.Node("dense1").Layer.(*nn.Dense)
	clear(d.W.Value.Data)
	clear(d.B.Value.Data)
	for i := range 6 {
		d.W.Value.Data[36+i*6+2] = 1
		d.W.Value.Data[36+i*6+3] = 1
	}
	x := stepImage()
	cam, err := GradCAM(m, x, -1)
	if err != nil {
		t.Fatal(err)
	}
	if cam.Class != 1 || cam.Layer != "relu1" || cam.H != 8 || cam.W != 8 {
		t.Fatalf("Grad-CAM of class %d on %s, %dx%d", cam.Class, cam.Layer, cam.H, cam.W)
	}
	// The edge lies between input columns 3 and 4: the map is largest there.
	if cam.Map[3*8+3] != 1 || cam.Map[3*8+4] != 1 || cam.Map[3*8+0] != 0 || cam.Map[3*8+7] != 0 {
		t.Errorf("Grad-CAM row 3: %v", cam.Map[24:32])
	}
	sal, err := Saliency(m, x, 1)
	if err != nil {
		t.Fatal(err)
	}
	// ∂score/∂x is the filter's taps summed over the positions that see x:
	// columns 2 and 5 get -1 and +1 per tap, the columns in between cancel.
	row := sal.Map[3*8 : 4*8]
	if row[2] != 1 || row[5] != 1 || row[0] != 0 || row[7] != 0 {
		t.Errorf("saliency row 3: %v", row)
	}
	if m.Graph.InputGrad {
		t.Error("Saliency left InputGrad on")
	}
	if _, err := Saliency(m, x, 2); err == nil {
		t.Error("class 2 of 2 accepted")
	}
	img := HeatmapImage("saliency", &Record(m, x).Input, sal)
	if img.Bounds().Dx() < 3*8 {
		t.Errorf("heatmap image %v", img.Bounds())
	}
}

func TestResizeBilinearMatchesPyTorch(t *testing.T) {
	// torch.nn.functional.interpolate(torch.tensor([[[[0.,1.],[2.,3.]]]]),
	// size=(4,4), mode="bilinear", align_corners=False)
	want := []float32{
		0, 0.25, 0.75, 1,
		0.5, 0.75, 1.25, 1.5,
		1.5, 1.75, 2.25, 2.5,
		2, 2.25, 2.75, 3,
	}
	got := resizeBilinear([]float32{0, 1, 2, 3}, 2, 2, 4, 4)
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestScaleFor(t *testing.T) {
	if s := ScaleFor([]float32{-1, 3}); s.Palette != CoolWarm || s.Min != -3 || s.Max != 3 || s.Color(0) != CoolWarm.At(0.5) {
		t.Errorf("mixed signs: %+v", s)
	}
	if s := ScaleFor([]float32{0, 2, float32(math.NaN())}); s.Palette != Viridis || s.Min != 0 || s.Max != 2 {
		t.Errorf("non-negative: %+v", s)
	}
	if c := ScaleFor([]float32{1}).Color(float32(math.Inf(1))); c != NaNColor {
		t.Errorf("inf drawn as %v", c)
	}
}

func TestFilterGridShapes(t *testing.T) {
	rgb := FilterGrid("conv1", "conv(4,3)", tensor.New(4, 3, 3, 3), true)
	deep := FilterGrid("conv2", "conv(5,3)", tensor.New(5, 4, 3, 3), false)
	grey := FilterGrid("conv1", "conv(2,5)", tensor.New(2, 1, 5, 5), false)
	if rgb.Bounds().Dx() == 0 || deep.Bounds().Dy() <= grey.Bounds().Dy()/2 {
		t.Errorf("sizes %v %v %v", rgb.Bounds(), deep.Bounds(), grey.Bounds())
	}
}

func TestActivationCost(t *testing.T) {
	c, err := ActivationCost("relu", 1<<12, 0)
	if err != nil || c.ForwardNs <= 0 || c.BackwardNs <= 0 || c.ForwardNs > 1e6 {
		t.Errorf("%+v, %v", c, err)
	}
	if _, err := ActivationCost("swoosh", 16, 0); err == nil {
		t.Error("unknown activation accepted")
	}
}

func TestGradCAMLayer(t *testing.T) {
	for spec, want := range map[string]string{
		"conv(2,3) relu conv(2,3) batchnorm relu flatten dense(2)": "relu2",
		"conv(2,3) relu conv(2,3) flatten dense(2)":                "conv2",
		"conv(2,3) tanh maxpool(2) flatten dense(2)":               "tanh1",
	} {
		g, err := nn.BuildGraph(spec, []int{1, 8, 8}, nn.SpecOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := GradCAMLayer(g); got == nil || got.Name != want {
			t.Errorf("%s: Grad-CAM on %v, want %s", spec, got, want)
		}
	}
	g, _ := nn.BuildGraph("flatten dense(2)", []int{1, 8, 8}, nn.SpecOptions{})
	if GradCAMLayer(g) != nil {
		t.Error("Grad-CAM layer found in a net without conv layers")
	}
}

// TestAdvisorBlamesDeadUnitsNotVanishing kills relu1 with a large negative
// bias on conv1. No gradient then reaches conv1 and conv2 sees only zeros,
// so both weight gradients are exactly 0 while dense1's is not: the advice
// must name the dead units, not vanishing gradients.
func TestAdvisorBlamesDeadUnitsNotVanishing(t *testing.T) {
	x, labels := randomSet(32)
	g := stack(t, "relu", ",init=he", 3)
	for i := range 8 {
		g.Node("conv1").Layer.(*nn.Conv2D).B.Value.Data[i] = -100
		g.Node("conv2").Layer.(*nn.Conv2D).B.Value.Data[i] = 1 // keeps relu2, and so dense1's gradient, alive
	}
	h := Measure(g, x, labels, 16)
	if c1, c2, d := h.Layer("conv1").GradNorm, h.Layer("conv2").GradNorm, h.Layer("dense1").GradNorm; c1 != 0 || c2 != 0 || d == 0 {
		t.Fatalf("gradient norms conv1 %v conv2 %v dense1 %v, want 0, 0 and not 0", c1, c2, d)
	}
	adv := (&Advisor{}).Advise(1, h)
	if len(adv) != 1 || !strings.HasPrefix(adv[0], "relu1 (conv1): 100% of channels dead") {
		t.Errorf("advice %q, want only relu1's dead channels", adv)
	}
}

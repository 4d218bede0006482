package nn

import (
	"math"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// conformanceCases lists one configured instance of each layer with an
// input shape (batch included) that suits it.
func conformanceCases() []struct {
	layer  Layer
	shapes [][]int
} {
	maxpool := NewMaxPool2D(3)
	maxpool.SH, maxpool.SW, maxpool.PadT, maxpool.PadL, maxpool.PadB, maxpool.PadR, maxpool.CeilMode = 2, 2, 1, 1, 1, 1, true
	avgpool := NewAvgPool2D(3)
	avgpool.SH, avgpool.SW, avgpool.PadT, avgpool.PadL, avgpool.PadB, avgpool.PadR = 1, 1, 1, 1, 1, 1
	img := [][]int{{4, 3, 9, 8}}
	cases := []struct {
		layer  Layer
		shapes [][]int
	}{
		{maxpool, img},
		{avgpool, img},
		{NewGlobalAvgPool(), img},
		{NewGlobalMaxPool(), img},
		{NewDropout(0.5), img},
		{NewBatchNorm2D(), img},
		{NewBatchNorm2D(), [][]int{{4, 10}}},
		{NewAdd(), [][]int{{4, 3, 9, 8}, {4, 3, 9, 8}}},
		{NewConcat(), [][]int{{4, 3, 9, 8}, {4, 2, 9, 8}}},
		{NewPReLU(), img},
		{NewConv2D(4, 3), img},
		{NewDense(5), [][]int{{4, 10}}},
		{Flatten{}, img},
		{NewReshape(24, 9), img},
		{NewTranspose(1, 2, 0), img},
		{&Pad{Mode: "reflect", Begin: []int{0, 2, 1}, End: []int{1, 1, 2}}, img},
		{NewSoftmaxAxis(0, false), img},
		{NewSoftmaxAxis(1, true), img},
		{NewBinary("mul"), [][]int{{4, 3, 9, 8}, {4, 3, 1, 1}}},
		{NewBinary("div"), [][]int{{4, 3, 9, 8}, {4, 1, 9, 8}}},
		{NewDenseLast(5), img},
		{NewMatMul(), [][]int{{4, 2, 3, 5}, {4, 1, 5, 6}}},
	}
	for _, k := range []string{"relu", "leakyrelu", "elu", "selu", "gelu", "silu", "sigmoid", "tanh", "softmax"} {
		cases = append(cases, struct {
			layer  Layer
			shapes [][]int
		}{MustActivation(k), img})
	}
	return cases
}

// TestLayerConformance holds every layer to the Layer contract: Backward
// overwrites input and parameter gradients (a second call over garbage gives
// the same values), Forward and Backward are repeatable, and a warm training
// step allocates nothing.
func TestLayerConformance(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	for _, threads := range []int{1, 2} {
		kernel.SetThreads(threads)
		for _, tc := range conformanceCases() {
			name := tc.layer.Type()
			rng := rand.New(rand.NewPCG(5, 6))
			shapes := make([][]int, len(tc.shapes))
			for i, s := range tc.shapes {
				shapes[i] = s[1:]
			}
			outShape, err := tc.layer.Build(shapes)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if ini, ok := tc.layer.(Initializer); ok {
				ini.InitParams(rng, "relu")
			}
			if s, ok := tc.layer.(Seeded); ok {
				s.Seed(rand.New(rand.NewPCG(7, 8)))
			}
			in, dIn := make([]*tensor.Tensor, len(shapes)), make([]*tensor.Tensor, len(shapes))
			for i, s := range tc.shapes {
				in[i], dIn[i] = randomTensor(rng, s), tensor.New(s...)
			}
			out := tensor.New(append([]int{tc.shapes[0][0]}, outShape...)...)
			dOut := randomTensor(rng, out.Shape)
			step := func() {
				if s, ok := tc.layer.(Seeded); ok {
					s.Seed(rand.New(rand.NewPCG(7, 8)))
				}
				tc.layer.Forward(in, out, true)
				tc.layer.Backward(in, out, dOut, dIn)
			}
			step()
			first := snapshot(out, dIn, tc.layer.Params())
			for _, g := range dIn {
				fill(g.Data, float32(math.NaN()))
			}
			for _, p := range tc.layer.Params() {
				fill(p.Grad.Data, 1e6)
			}
			step()
			if second := snapshot(out, dIn, tc.layer.Params()); !equalFloats(first, second) {
				t.Errorf("%s (threads=%d): a second step gives different outputs or gradients: Backward must overwrite, not accumulate", name, threads)
			}
			if threads != 1 || raceEnabled() {
				continue // the race detector allocates on its own
			}
			// Only the test's reseeding of dropout allocates: a source and a
			// generator.
			allowed := 0.0
			if _, ok := tc.layer.(Seeded); ok {
				allowed += 2
			}
			if allocs := testing.AllocsPerRun(5, step); allocs > allowed {
				t.Errorf("%s: a warm step allocates %v times, want at most %v", name, allocs, allowed)
			}
		}
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

func randomTensor(rng *rand.Rand, shape []int) *tensor.Tensor {
	x := tensor.New(shape...)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	return x
}

func snapshot(out *tensor.Tensor, dIn []*tensor.Tensor, ps []*Param) []float32 {
	s := append([]float32(nil), out.Data...)
	for _, d := range dIn {
		s = append(s, d.Data...)
	}
	for _, p := range ps {
		s = append(s, p.Grad.Data...)
	}
	return s
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

// TestResidualGraph runs a small branching net through the graph: a
// residual block with batch norm, a channel concat, global pooling and a
// dense head, and checks naming, state and that gradients reach the input.
func TestResidualGraph(t *testing.T) {
	g := NewGraph(3, 8, 8)
	stem := g.MustAdd(NewConv2D(4, 1))
	c := NewConv2D(4, 3)
	c.PadT, c.PadL, c.PadB, c.PadR = 1, 1, 1, 1
	g.MustAdd(c)
	g.MustAdd(NewBatchNorm2D())
	g.MustAdd(NewPReLU())
	res := g.MustAdd(NewAdd(), g.Nodes[len(g.Nodes)-1], stem)
	g.MustAdd(NewConcat(), res, stem)
	g.MustAdd(NewMaxPool2D(2))
	g.MustAdd(NewDropout(0.2))
	g.MustAdd(NewGlobalAvgPool())
	g.MustAdd(Flatten{})
	g.MustAdd(NewDense(3))
	if got := g.Output().Shape; !tensor.EqualShape(got, []int{3}) {
		t.Fatalf("output shape %v, want (3)", got)
	}
	if _, err := g.Add(NewAdd(), g.Output(), stem); err == nil || !contains(err.Error(), "add2: add: input 2 has shape (4, 8, 8) but input 1 has (3)") {
		t.Errorf("mismatched add: error = %v", err)
	}
	state := g.State()
	if len(state) != 2 || state[0].Name != "batchnorm1.running_mean" || state[1].Name != "batchnorm1.running_var" {
		t.Errorf("state = %v, want batchnorm1's running mean and var", paramNames(state))
	}
	g.Init(1)
	g.InputGrad = true
	rng := rand.New(rand.NewPCG(1, 1))
	x := randomTensor(rng, []int{2, 3, 8, 8})
	out := g.Forward(x, true)
	g.Backward(randomTensor(rng, out.Shape))
	var norm float64
	for _, v := range g.Input().Grad.Data {
		norm += float64(v * v)
	}
	if norm == 0 || math.IsNaN(norm) {
		t.Errorf("input gradient norm² = %v, want finite and positive", norm)
	}
}

func paramNames(ps []*Param) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

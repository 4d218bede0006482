package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// TestGraphGradientsBranching checks a whole graph with a residual Add, a
// two-branch Concat and a node feeding three consumers, against finite
// differences of the cross-entropy loss, for the input and every parameter.
func TestGraphGradientsBranching(t *testing.T) {
	g := NewGraph(2, 6, 6)
	x := g.Input()
	c1 := NewConv2D(3, 3)
	c1.PadT, c1.PadL, c1.PadB, c1.PadR = 1, 1, 1, 1
	a := g.MustAdd(c1, x)
	a = g.MustAdd(MustActivation("tanh"), a)
	c2 := NewConv2D(3, 3)
	c2.PadT, c2.PadL, c2.PadB, c2.PadR = 1, 1, 1, 1
	b := g.MustAdd(c2, a)
	b = g.MustAdd(MustActivation("sigmoid"), b)
	res := g.MustAdd(NewAdd(), a, b)      // a has three consumers: c2, this Add
	cat := g.MustAdd(NewConcat(), res, a) // and this Concat
	c3 := NewConv2D(2, 1)
	cat = g.MustAdd(c3, cat)
	h := g.MustAdd(Flatten{}, cat)
	g.MustAdd(NewDense(4), h)
	g.InputGrad = true
	g.Init(3)

	rng := rand.New(rand.NewPCG(5, 6))
	in := tensor.New(3, 2, 6, 6)
	for i := range in.Data {
		in.Data[i] = float32(rng.NormFloat64())
	}
	labels := []int{0, 3, 1}
	var ce SoftmaxCrossEntropy
	lossAt := func() float64 {
		return float64(ce.Loss(g.Forward(in, true), labels))
	}
	lossAt()
	g.Backward(&ce.Grad)
	check := func(name string, vals, grads []float32) {
		grads = append([]float32(nil), grads...)
		const eps = 1e-2
		for i := range vals {
			orig := vals[i]
			vals[i] = orig + eps
			lp := lossAt()
			vals[i] = orig - eps
			lm := lossAt()
			vals[i] = orig
			num := (lp - lm) / (2 * eps)
			if d := math.Abs(num - float64(grads[i])); d > 2e-3+2e-2*math.Abs(num) {
				t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", name, i, grads[i], num)
				return
			}
		}
	}
	check("input", in.Data, g.Input().Grad.Data)
	for _, p := range g.Params() {
		check(p.Name, p.Value.Data, p.Grad.Data)
	}
}

func TestLossGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	z := tensor.New(4, 5)
	target := tensor.New(4, 5)
	for i := range z.Data {
		z.Data[i] = float32(rng.NormFloat64() * 3)
		target.Data[i] = float32(rng.NormFloat64())
	}
	labels := []int{4, 0, 2, 2}
	var ce SoftmaxCrossEntropy
	var mse MSE
	for _, tc := range []struct {
		name string
		loss func() float32
		grad func() []float32
	}{
		{"cross-entropy", func() float32 { return ce.Loss(z, labels) }, func() []float32 { return ce.Grad.Data }},
		{"mse", func() float32 { return mse.Loss(z, target) }, func() []float32 { return mse.Grad.Data }},
	} {
		tc.loss()
		grad := append([]float32(nil), tc.grad()...)
		for i := range z.Data {
			orig := z.Data[i]
			z.Data[i] = orig + 1e-2
			lp := float64(tc.loss())
			z.Data[i] = orig - 1e-2
			lm := float64(tc.loss())
			z.Data[i] = orig
			num := (lp - lm) / 2e-2
			if math.Abs(num-float64(grad[i])) > 1e-3+1e-2*math.Abs(num) {
				t.Errorf("%s: dz[%d] analytic %g numeric %g", tc.name, i, grad[i], num)
			}
		}
	}
	// log-sum-exp keeps huge logits finite.
	big := tensor.FromData([]float32{1000, -1000, 0}, 1, 3)
	if l := ce.Loss(big, []int{1}); math.IsInf(float64(l), 0) || math.Abs(float64(l)-2000) > 1e-3 {
		t.Errorf("loss of a confidently wrong prediction = %v, want 2000", l)
	}
}

// TestInitSuitsActivation: conv/dense layers followed by ReLU get He
// initialisation (variance 2/fan_in), by sigmoid or tanh Xavier (variance
// 2/(fan_in+fan_out)); the same seed gives the same weights.
func TestInitSuitsActivation(t *testing.T) {
	variance := func(spec string, seed uint64) (float64, []float32) {
		g, err := BuildGraph(spec, []int{400}, SpecOptions{})
		if err != nil {
			t.Fatal(err)
		}
		g.Init(seed)
		w := g.Params()[0].Value.Data
		var s float64
		for _, v := range w {
			s += float64(v) * float64(v)
		}
		return s / float64(len(w)), w
	}
	he, w1 := variance("dense(300) relu dense(10)", 9)
	if want := 2.0 / 400; math.Abs(he-want) > 0.05*want {
		t.Errorf("ReLU layer: weight variance %.5f, want He's %.5f", he, want)
	}
	xav, _ := variance("dense(300) sigmoid dense(10)", 9)
	if want := 2.0 / 700; math.Abs(xav-want) > 0.05*want {
		t.Errorf("sigmoid layer: weight variance %.5f, want Xavier's %.5f", xav, want)
	}
	lecun, _ := variance("dense(300) selu dense(10)", 9)
	if want := 1.0 / 400; math.Abs(lecun-want) > 0.05*want {
		t.Errorf("SELU layer: weight variance %.5f, want LeCun's %.5f", lecun, want)
	}
	forced, _ := variance("dense(300,init=xavier) relu dense(10)", 9)
	if want := 2.0 / 700; math.Abs(forced-want) > 0.05*want {
		t.Errorf("init=xavier ignored: variance %.5f", forced)
	}
	_, w2 := variance("dense(300) relu dense(10)", 9)
	_, w3 := variance("dense(300) relu dense(10)", 10)
	for i := range w1 {
		if w1[i] != w2[i] {
			t.Fatal("the same seed gave different weights")
		}
	}
	if w1[0] == w3[0] && w1[1] == w3[1] {
		t.Error("different seeds gave the same weights")
	}
}

// TestGraphRepeatedInput checks a node fed the same input twice: both
// paths' gradients must reach it. For y = concat(x, x) followed by a dense
// layer, ∂L/∂x is the sum of the dense input gradient's two halves.
func TestGraphRepeatedInput(t *testing.T) {
	g := NewGraph(3)
	x := g.Input()
	cat := g.MustAdd(NewConcat(), x, x)
	g.MustAdd(NewDense(2), cat)
	g.InputGrad = true
	g.Init(1)
	in := tensor.FromData([]float32{0.5, -1, 2, 1, 0, -0.5}, 2, 3)
	dy := tensor.FromData([]float32{1, -2, 0.5, 3}, 2, 2)
	g.Forward(in, true)
	g.Backward(dy)
	w := g.Params()[0].Value.Data // (2, 6)
	for r := 0; r < 2; r++ {
		for i := 0; i < 3; i++ {
			var want float32
			for o := 0; o < 2; o++ {
				want += dy.Data[r*2+o] * (w[o*6+i] + w[o*6+3+i])
			}
			if got := g.Input().Grad.Data[r*3+i]; math.Abs(float64(got-want)) > 1e-5 {
				t.Errorf("∂L/∂x[%d,%d] = %g, want %g", r, i, got, want)
			}
		}
	}
}

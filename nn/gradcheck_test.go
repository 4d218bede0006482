package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// gradCase describes one finite-difference check of a layer.
type gradCase struct {
	name   string
	layer  Layer
	shapes [][]int // per-input shapes including the batch dimension
	train  bool
	// avoid keeps random inputs at least this far from 0, so kinks of
	// ReLU-like functions are not straddled by the finite difference.
	avoid float64
	// before runs before every Forward (e.g. to reseed dropout so every
	// evaluation sees the same mask).
	before func()
	// inputs, when set, fills the inputs instead of random values.
	inputs func(rng *rand.Rand, in []*tensor.Tensor)
}

// checkGradients compares a layer's analytic gradients with central finite
// differences evaluated in float64. The scalar checked is
// L = Σ r ⊙ out, with r a fixed random tensor, so ∂L/∂out = r.
// Every input and parameter element is perturbed by ±eps; the layer itself
// computes in float32, so the tolerance allows for its rounding.
func checkGradients(t *testing.T, c gradCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := make([][]int, len(c.shapes))
	for i, s := range c.shapes {
		shapes[i] = s[1:]
	}
	outShape, err := c.layer.Build(shapes)
	if err != nil {
		t.Fatalf("%s: Build: %v", c.name, err)
	}
	if ini, ok := c.layer.(Initializer); ok {
		ini.InitParams(rng, "relu")
	}
	for _, p := range c.layer.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(rng.NormFloat64() * 0.5)
		}
	}
	in := make([]*tensor.Tensor, len(c.shapes))
	for i, s := range c.shapes {
		in[i] = tensor.New(s...)
	}
	if c.inputs != nil {
		c.inputs(rng, in)
	} else {
		for _, x := range in {
			for j := range x.Data {
				v := rng.NormFloat64()
				for math.Abs(v) < c.avoid {
					v = rng.NormFloat64()
				}
				x.Data[j] = float32(v)
			}
		}
	}
	out := tensor.New(append([]int{c.shapes[0][0]}, outShape...)...)
	r := tensor.New(out.Shape...)
	for i := range r.Data {
		r.Data[i] = float32(rng.NormFloat64())
	}
	loss := func() float64 {
		if c.before != nil {
			c.before()
		}
		c.layer.Forward(in, out, c.train)
		var s float64
		for i, v := range out.Data {
			s += float64(v) * float64(r.Data[i])
		}
		return s
	}
	loss()
	dIn := make([]*tensor.Tensor, len(in))
	for i, x := range in {
		dIn[i] = tensor.New(x.Shape...)
		for j := range dIn[i].Data {
			dIn[i].Data[j] = float32(math.NaN()) // must be overwritten
		}
	}
	c.layer.Backward(in, out, r, dIn)

	const eps = 1e-2
	check := func(what string, vals []float32, grads []float32) {
		t.Helper()
		bad := 0
		for j := range vals {
			orig := vals[j]
			vals[j] = orig + eps
			lp := loss()
			vals[j] = orig - eps
			lm := loss()
			vals[j] = orig
			num := (lp - lm) / (2 * eps)
			ana := float64(grads[j])
			tol := 2e-2*math.Max(math.Abs(num), math.Abs(ana)) + 2e-3
			if math.IsNaN(ana) || math.Abs(num-ana) > tol {
				if bad < 5 {
					t.Errorf("%s: %s[%d]: analytic %.6g, numeric %.6g", c.name, what, j, ana, num)
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("%s: %s: %d of %d gradients disagree", c.name, what, bad, len(vals))
		}
	}
	// Snapshot analytic gradients before the finite differences rerun Forward.
	for i, x := range in {
		check(fmt.Sprintf("input%d", i), x.Data, append([]float32(nil), dIn[i].Data...))
	}
	for _, p := range c.layer.Params() {
		check(p.Name, p.Value.Data, append([]float32(nil), p.Grad.Data...))
	}
}

package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestDropoutGradients(t *testing.T) {
	d := NewDropout(0.3)
	checkGradients(t, gradCase{
		name: "dropout train", layer: d, shapes: [][]int{{3, 4, 5}}, train: true,
		// Reseed before every Forward so each evaluation sees the same mask.
		before: func() { d.Seed(rand.New(rand.NewPCG(3, 4))) },
	})
	checkGradients(t, gradCase{name: "dropout eval", layer: NewDropout(0.5), shapes: [][]int{{2, 6}}})
	checkGradients(t, gradCase{name: "dropout p=0", layer: NewDropout(0), shapes: [][]int{{2, 6}}, train: true})
}

// TestDropoutMask checks that a fraction p is dropped, that kept units are
// scaled by 1/(1-p), that the same seed gives the same mask, and that
// evaluation is the identity.
func TestDropoutMask(t *testing.T) {
	const n, p = 100000, 0.25
	x := tensor.New(10, n/10)
	for i := range x.Data {
		x.Data[i] = 1
	}
	run := func(seed uint64, train bool) *tensor.Tensor {
		d := NewDropout(p)
		if _, err := d.Build([][]int{{n / 10}}); err != nil {
			t.Fatal(err)
		}
		d.Seed(rand.New(rand.NewPCG(seed, 0)))
		out := tensor.New(x.Shape...)
		d.Forward([]*tensor.Tensor{x}, out, train)
		return out
	}
	a, b, c := run(1, true), run(1, true), run(2, true)
	dropped, same, sameOther := 0, true, true
	for i, v := range a.Data {
		switch v {
		case 0:
			dropped++
		case 1 / (1 - p):
		default:
			t.Fatalf("out[%d] = %v, want 0 or %v", i, v, 1/(1-p))
		}
		same = same && v == b.Data[i]
		sameOther = sameOther && v == c.Data[i]
	}
	if !same {
		t.Error("the same seed gave different masks")
	}
	if sameOther {
		t.Error("different seeds gave the same mask")
	}
	// Binomial(n, p): the standard deviation is √(n·p·(1-p)) ≈ 137.
	if got := float64(dropped); math.Abs(got-n*p) > 6*math.Sqrt(n*p*(1-p)) {
		t.Errorf("dropped %d of %d, want about %d", dropped, n, int(n*p))
	}
	for i, v := range run(1, false).Data {
		if v != 1 {
			t.Fatalf("eval out[%d] = %v, want the input", i, v)
		}
	}
}

func TestDropoutBuildErrors(t *testing.T) {
	for _, p := range []float64{1, 1.5, -0.1, math.NaN()} {
		_, err := NewDropout(p).Build([][]int{{10}})
		if err == nil || !contains(err.Error(), "the drop probability must be in [0, 1)") {
			t.Errorf("dropout(%v): error = %v, want it to say the probability must be in [0, 1)", p, err)
		}
	}
}

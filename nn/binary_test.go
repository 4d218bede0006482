package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestBinaryGradients(t *testing.T) {
	for _, op := range []string{"add", "sub", "mul", "div"} {
		for _, shapes := range [][][]int{
			{{2, 3, 4}, {2, 3, 4}},
			{{2, 3, 4, 2}, {2, 3, 1, 1}}, // per-channel scale
			{{2, 1, 4}, {2, 3, 1}},       // both broadcast
		} {
			checkGradients(t, gradCase{name: op + " " + tensor.ShapeString(shapes[0][1:]) + tensor.ShapeString(shapes[1][1:]),
				layer: NewBinary(op), shapes: shapes,
				inputs: func(rng *rand.Rand, in []*tensor.Tensor) {
					// Keep divisors away from 0.
					for _, x := range in {
						for i := range x.Data {
							v := rng.NormFloat64()
							x.Data[i] = float32(math.Copysign(0.5+math.Abs(v), v))
						}
					}
				}})
		}
	}
}

func TestBinaryValues(t *testing.T) {
	a := tensor.FromData([]float32{1, 2, 3, 4, 5, 6}, 1, 2, 3) // (2, 3)
	b := tensor.FromData([]float32{10, 20}, 1, 2, 1)           // (2, 1)
	want := map[string][]float32{
		"add": {11, 12, 13, 24, 25, 26},
		"sub": {-9, -8, -7, -16, -15, -14},
		"mul": {10, 20, 30, 80, 100, 120},
		"div": {0.1, 0.2, 0.3, 0.2, 0.25, 0.3},
	}
	for op, w := range want {
		l := NewBinary(op)
		if _, err := l.Build([][]int{{2, 3}, {2, 1}}); err != nil {
			t.Fatal(err)
		}
		out := tensor.New(1, 2, 3)
		l.Forward([]*tensor.Tensor{a, b}, out, false)
		for i := range w {
			if math.Abs(float64(out.Data[i]-w[i])) > 1e-6 {
				t.Errorf("%s: got %v, want %v", op, out.Data, w)
				break
			}
		}
	}
	for _, tc := range []struct {
		in   [][]int
		want string
	}{
		{[][]int{{2, 3}, {3}}, "different ranks"},
		{[][]int{{2, 3}, {2, 2}}, "do not broadcast"},
		{[][]int{{2, 3}}, "takes two inputs"},
	} {
		if _, err := NewBinary("mul").Build(tc.in); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Build(%v): %v, want %q", tc.in, err, tc.want)
		}
	}
}

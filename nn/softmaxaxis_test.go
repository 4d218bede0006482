package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestSoftmaxAxisGradients(t *testing.T) {
	for _, log := range []bool{false, true} {
		for _, tc := range []struct {
			axis  int
			shape []int
		}{{0, []int{2, 3, 4, 2}}, {1, []int{2, 3, 4, 2}}, {0, []int{3, 4, 5}}} {
			l := NewSoftmaxAxis(tc.axis, log)
			checkGradients(t, gradCase{name: l.Describe(), layer: l, shapes: [][]int{tc.shape}})
		}
	}
}

// TestSoftmaxAxisValues compares with the softmax written out in float64
// along the channel axis of (N, C, H, W).
func TestSoftmaxAxisValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	x := randomTensor(rng, []int{2, 3, 2, 2})
	for _, log := range []bool{false, true} {
		l := NewSoftmaxAxis(0, log)
		if _, err := l.Build([][]int{{3, 2, 2}}); err != nil {
			t.Fatal(err)
		}
		out := tensor.New(x.Shape...)
		l.Forward([]*tensor.Tensor{x}, out, false)
		for n := range 2 {
			for p := range 4 {
				var sum float64
				for c := range 3 {
					sum += math.Exp(float64(x.Data[(n*3+c)*4+p]))
				}
				for c := range 3 {
					i := (n*3+c)*4 + p
					want := math.Exp(float64(x.Data[i])) / sum
					if log {
						want = math.Log(want)
					}
					if math.Abs(float64(out.Data[i])-want) > 1e-6 {
						t.Errorf("log=%v: out[%d] = %v, want %v", log, i, out.Data[i], want)
					}
				}
			}
		}
	}
	if _, err := NewSoftmaxAxis(3, false).Build([][]int{{3, 2, 2}}); err == nil || !contains(err.Error(), "has no axis 3") {
		t.Errorf("an axis out of range: %v", err)
	}
}

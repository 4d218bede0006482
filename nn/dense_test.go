package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

func TestDenseGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "dense", layer: NewDense(4), shapes: [][]int{{3, 5}}})
	checkGradients(t, gradCase{name: "dense no bias", layer: &Dense{Out: 3, NoBias: true}, shapes: [][]int{{2, 7}}})
	checkGradients(t, gradCase{name: "dense batch 1", layer: NewDense(6), shapes: [][]int{{1, 9}}})
}

func TestDenseBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		l    *Dense
		in   []int
		want string
	}{
		{&Dense{Out: 120, In: 400}, []int{256}, "dense(120) expects 400 inputs, gets 256"},
		{NewDense(10), []int{16, 5, 5}, "expects a flat input, gets (16, 5, 5): put flatten before it"},
	} {
		_, err := tc.l.Build([][]int{tc.in})
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Build(%v) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

// TestDenseSplitsMatchReference checks the dense layer against plain
// float64 loops on a layer wide enough that, on two threads, its forward
// pass splits over units and its input gradient over inputs, and on one
// thread and three.
func TestDenseSplitsMatchReference(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	const n, in, out = 5, 150, 140
	rng := rand.New(rand.NewPCG(3, 4))
	randomTensor := func(shape ...int) *tensor.Tensor {
		x := tensor.New(shape...)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		return x
	}
	x, dy := randomTensor(n, in), randomTensor(n, out)
	l := NewDense(out)
	if _, err := l.Build([][]int{{in}}); err != nil {
		t.Fatal(err)
	}
	copy(l.W.Value.Data, randomTensor(out, in).Data)
	copy(l.B.Value.Data, randomTensor(out).Data)
	w, b := l.W.Value.Data, l.B.Value.Data
	wantY, wantDx, wantDW, wantDB := make([]float32, n*out), make([]float32, n*in), make([]float32, out*in), make([]float32, out)
	for r := 0; r < n; r++ {
		for o := 0; o < out; o++ {
			s := float64(b[o])
			for i := 0; i < in; i++ {
				s += float64(x.Data[r*in+i]) * float64(w[o*in+i])
			}
			wantY[r*out+o] = float32(s)
		}
		for i := 0; i < in; i++ {
			var s float64
			for o := 0; o < out; o++ {
				s += float64(dy.Data[r*out+o]) * float64(w[o*in+i])
			}
			wantDx[r*in+i] = float32(s)
		}
	}
	for o := 0; o < out; o++ {
		var sb float64
		for r := 0; r < n; r++ {
			sb += float64(dy.Data[r*out+o])
		}
		wantDB[o] = float32(sb)
		for i := 0; i < in; i++ {
			var s float64
			for r := 0; r < n; r++ {
				s += float64(dy.Data[r*out+o]) * float64(x.Data[r*in+i])
			}
			wantDW[o*in+i] = float32(s)
		}
	}
	for _, threads := range []int{1, 2, 3} {
		kernel.SetThreads(threads)
		y, dx := tensor.New(n, out), tensor.New(n, in)
		l.Forward([]*tensor.Tensor{x}, y, true)
		l.Backward([]*tensor.Tensor{x}, y, dy, []*tensor.Tensor{dx})
		what := fmt.Sprintf("threads=%d: ", threads)
		closeTo(t, what+"output", y.Data, wantY, 1e-4)
		closeTo(t, what+"input gradient", dx.Data, wantDx, 1e-4)
		closeTo(t, what+"weight gradient", l.W.Grad.Data, wantDW, 1e-4)
		closeTo(t, what+"bias gradient", l.B.Grad.Data, wantDB, 1e-4)
	}
}

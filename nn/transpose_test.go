package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestTransposeGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "transpose nhwc", layer: NewTranspose(1, 2, 0), shapes: [][]int{{2, 3, 4, 5}}})
	checkGradients(t, gradCase{name: "transpose 2-D", layer: NewTranspose(1, 0), shapes: [][]int{{3, 2, 5}}})
}

// TestTransposeValues checks a permutation against indices written out:
// out[n, i, j, k] = in[n, k, i, j] for perm (1, 2, 0).
func TestTransposeValues(t *testing.T) {
	in := tensor.New(2, 2, 3, 4)
	for i := range in.Data {
		in.Data[i] = float32(i)
	}
	l := NewTranspose(1, 2, 0)
	shape, err := l.Build([][]int{{2, 3, 4}})
	if err != nil || !tensor.EqualShape(shape, []int{3, 4, 2}) {
		t.Fatalf("Build = %v, %v, want (3, 4, 2)", shape, err)
	}
	out := tensor.New(2, 3, 4, 2)
	l.Forward([]*tensor.Tensor{in}, out, false)
	for n := range 2 {
		for i := range 3 {
			for j := range 4 {
				for k := range 2 {
					got, want := out.Data[((n*3+i)*4+j)*2+k], in.Data[((n*2+k)*3+i)*4+j]
					if got != want {
						t.Fatalf("out[%d,%d,%d,%d] = %v, want %v", n, i, j, k, got, want)
					}
				}
			}
		}
	}
	if _, err := NewTranspose(0, 0, 1).Build([][]int{{2, 3, 4}}); err == nil || !contains(err.Error(), "not a permutation") {
		t.Errorf("a repeated axis: %v", err)
	}
	if _, err := NewTranspose(1, 0).Build([][]int{{2, 3, 4}}); err == nil || !contains(err.Error(), "does not permute the 3 axes") {
		t.Errorf("a short permutation: %v", err)
	}
}

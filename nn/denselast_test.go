package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestDenseLastGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "denselast", layer: NewDenseLast(3), shapes: [][]int{{2, 4, 5}}})
	l := NewDenseLast(2)
	l.Dense.NoBias = true
	checkGradients(t, gradCase{name: "denselast no bias", layer: l, shapes: [][]int{{2, 3, 2, 4}}})
}

// TestDenseLastIsDenseOnEachRow compares with a Dense run on one row at a
// time.
func TestDenseLastIsDenseOnEachRow(t *testing.T) {
	l := NewDenseLast(3)
	shape, err := l.Build([][]int{{4, 5}})
	if err != nil || len(shape) != 2 || shape[0] != 4 || shape[1] != 3 {
		t.Fatalf("Build = %v, %v, want (4, 3)", shape, err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for _, p := range l.Params() {
		for i := range p.Value.Data {
			p.Value.Data[i] = float32(rng.NormFloat64())
		}
	}
	x := randomTensor(rng, []int{2, 4, 5})
	out := randomTensor(rng, []int{2, 4, 3})
	l.Forward([]*tensor.Tensor{x}, out, false)
	d := &Dense{Out: 3, W: l.Dense.W, B: l.Dense.B}
	row := tensor.New(1, 3)
	for r := range 8 {
		d.Forward([]*tensor.Tensor{tensor.FromData(x.Data[r*5:(r+1)*5], 1, 5)}, row, false)
		for o := range 3 {
			if got := out.Data[r*3+o]; got != row.Data[o] {
				t.Fatalf("row %d unit %d: %v, Dense gives %v", r, o, got, row.Data[o])
			}
		}
	}
}

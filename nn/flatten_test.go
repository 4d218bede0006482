package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestFlattenGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "flatten", layer: Flatten{}, shapes: [][]int{{2, 3, 4, 5}}})
	checkGradients(t, gradCase{name: "flatten flat", layer: Flatten{}, shapes: [][]int{{3, 6}}})
}

func TestFlattenShape(t *testing.T) {
	got, err := Flatten{}.Build([][]int{{16, 5, 5}})
	if err != nil || !tensor.EqualShape(got, []int{400}) {
		t.Errorf("flatten (16, 5, 5) = %v, %v, want (400)", got, err)
	}
}

package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

// TestShapeLayersTakeEmptyBatches runs the new layers on a batch of none.
func TestShapeLayersTakeEmptyBatches(t *testing.T) {
	for _, tc := range []struct {
		l      Layer
		shapes [][]int
	}{
		{NewBinary("div"), [][]int{{2, 3}, {2, 1}}},
		{NewTranspose(1, 0), [][]int{{2, 3}}},
		{&Pad{Mode: "edge", Begin: []int{1, 0}, End: []int{0, 2}}, [][]int{{2, 3}}},
		{NewSoftmaxAxis(0, true), [][]int{{2, 3}}},
		{NewReshape(6), [][]int{{2, 3}}},
		{NewDenseLast(4), [][]int{{2, 3}}},
	} {
		shape, err := tc.l.Build(tc.shapes)
		if err != nil {
			t.Fatal(err)
		}
		in, dIn := make([]*tensor.Tensor, len(tc.shapes)), make([]*tensor.Tensor, len(tc.shapes))
		for i, s := range tc.shapes {
			in[i], dIn[i] = tensor.New(append([]int{0}, s...)...), tensor.New(append([]int{0}, s...)...)
		}
		out := tensor.New(append([]int{0}, shape...)...)
		tc.l.Forward(in, out, true)
		tc.l.Backward(in, out, out, dIn)
	}
}

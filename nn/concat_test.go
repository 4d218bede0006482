package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestConcatGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "concat 2 images", layer: NewConcat(), shapes: [][]int{{2, 3, 4, 5}, {2, 1, 4, 5}}})
	checkGradients(t, gradCase{name: "concat 3 flat", layer: NewConcat(), shapes: [][]int{{3, 2}, {3, 5}, {3, 1}}})
}

func TestConcatValues(t *testing.T) {
	c := NewConcat()
	shape, err := c.Build([][]int{{1, 2}, {2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.EqualShape(shape, []int{3, 2}) {
		t.Fatalf("shape %v, want (3, 2)", shape)
	}
	a := tensor.FromData([]float32{1, 2, 3, 4}, 2, 1, 2)
	b := tensor.FromData([]float32{5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 2)
	out := tensor.New(2, 3, 2)
	c.Forward([]*tensor.Tensor{a, b}, out, false)
	want := []float32{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}
	for i, v := range want {
		if out.Data[i] != v {
			t.Fatalf("out = %v, want %v", out.Data, want)
		}
	}
}

func TestConcatBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		in   [][]int
		want string
	}{
		{[][]int{{16, 8, 8}, {32, 4, 4}}, "concat: input 2 has shape (32, 4, 4) but input 1 has (16, 8, 8); all dims but the channels (the first) must match"},
		{[][]int{{16, 8, 8}, {16, 64}}, "concat: input 2 has shape (16, 64) but input 1 has (16, 8, 8)"},
		{[][]int{{16, 8, 8}}, "concat needs at least two inputs, gets 1"},
	} {
		_, err := NewConcat().Build(tc.in)
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Build(%v) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestPadGradients(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    *Pad
		in   []int
	}{
		{"constant", &Pad{Mode: "constant", Begin: []int{0, 1, 2}, End: []int{1, 2, 0}, Value: 0.5}, []int{2, 2, 3, 4}},
		{"reflect", &Pad{Mode: "reflect", Begin: []int{0, 2, 1}, End: []int{0, 1, 3}}, []int{2, 2, 3, 4}},
		{"edge", &Pad{Mode: "edge", Begin: []int{0, 3, 1}, End: []int{0, 1, 2}}, []int{2, 2, 3, 4}},
		{"crop", &Pad{Mode: "constant", Begin: []int{-1, 2}, End: []int{1, -2}}, []int{3, 4, 5}},
		{"edge crop", &Pad{Mode: "edge", Begin: []int{-1, 2}, End: []int{2, -1}}, []int{3, 4, 5}},
	} {
		checkGradients(t, gradCase{name: "pad " + tc.name, layer: tc.l, shapes: [][]int{tc.in}})
	}
}

// TestPadValues checks each mode on one row against values written out as
// numpy.pad and PyTorch's F.pad give them.
func TestPadValues(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want []float32
	}{
		{"constant", []float32{9, 9, 1, 2, 3, 9}},
		{"reflect", []float32{3, 2, 1, 2, 3, 2}},
		{"edge", []float32{1, 1, 1, 2, 3, 3}},
	} {
		l := &Pad{Mode: tc.mode, Begin: []int{2}, End: []int{1}, Value: 9}
		if _, err := l.Build([][]int{{3}}); err != nil {
			t.Fatal(err)
		}
		out := tensor.New(1, 6)
		l.Forward([]*tensor.Tensor{tensor.FromData([]float32{1, 2, 3}, 1, 3)}, out, false)
		for i, v := range tc.want {
			if out.Data[i] != v {
				t.Errorf("%s: got %v, want %v", tc.mode, out.Data, tc.want)
				break
			}
		}
	}
	for _, tc := range []struct {
		l    *Pad
		want string
	}{
		{&Pad{Mode: "reflect", Begin: []int{3}, End: []int{0}}, "reflect pads must be smaller than the input (3)"},
		{&Pad{Mode: "constant", Begin: []int{-4}, End: []int{0}}, "crops more than the input"},
		{&Pad{Mode: "wrap", Begin: []int{1}, End: []int{1}}, `unknown mode "wrap"`},
		{&Pad{Mode: "edge", Begin: []int{1, 1}, End: []int{1, 1}}, "does not fit the 1 axes"},
	} {
		if _, err := tc.l.Build([][]int{{3}}); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.l.Describe(), err, tc.want)
		}
	}
}

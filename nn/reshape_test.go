package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestReshapeGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "reshape", layer: NewReshape(4, 2, 3), shapes: [][]int{{2, 3, 8}}})
	checkGradients(t, gradCase{name: "reshape unflatten", layer: NewReshape(1, 6, 1), shapes: [][]int{{3, 6}}})
}

func TestReshapeBuild(t *testing.T) {
	got, err := NewReshape(2, 12).Build([][]int{{3, 4, 2}})
	if err != nil || !tensor.EqualShape(got, []int{2, 12}) {
		t.Errorf("reshape (3, 4, 2) to (2, 12) = %v, %v", got, err)
	}
	for _, tc := range []struct {
		l    *Reshape
		want string
	}{
		{NewReshape(5, 5), "reshape(5,5): an example of shape (3, 4, 2) has 24 values, not 25"},
		{NewReshape(0, 24), "every dimension must be at least 1"},
	} {
		if _, err := tc.l.Build([][]int{{3, 4, 2}}); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.l.Describe(), err, tc.want)
		}
	}
}

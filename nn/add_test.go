package nn

import "testing"

func TestAddGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "add 2", layer: NewAdd(), shapes: [][]int{{2, 3, 4, 4}, {2, 3, 4, 4}}})
	checkGradients(t, gradCase{name: "add 3 flat", layer: NewAdd(), shapes: [][]int{{3, 5}, {3, 5}, {3, 5}}})
}

func TestAddBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		in   [][]int
		want string
	}{
		{[][]int{{16, 8, 8}, {32, 8, 8}}, "add: input 2 has shape (32, 8, 8) but input 1 has (16, 8, 8)"},
		{[][]int{{16, 8, 8}, {16, 8, 8}, {16, 4, 4}}, "add: input 3 has shape (16, 4, 4) but input 1 has (16, 8, 8)"},
		{[][]int{{16, 8, 8}}, "add needs at least two inputs, gets 1"},
	} {
		_, err := NewAdd().Build(tc.in)
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Build(%v) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

package nn

import "testing"

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

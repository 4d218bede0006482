package nn

import "testing"

func TestActivationGradients(t *testing.T) {
	for _, tc := range []struct {
		kind  string
		alpha float32 // 0 keeps the default
		avoid float64
	}{
		{kind: "relu", avoid: 0.05},
		{kind: "leakyrelu", avoid: 0.05},
		{kind: "leakyrelu", alpha: 0.2, avoid: 0.05},
		{kind: "elu", avoid: 0.05},
		{kind: "elu", alpha: 0.5, avoid: 0.05},
		{kind: "selu", avoid: 0.05},
		{kind: "gelu"},
		{kind: "silu"},
		{kind: "sigmoid"},
		{kind: "tanh"},
		{kind: "softmax"},
	} {
		for _, shape := range [][]int{{3, 7}, {2, 3, 4, 5}} {
			a := MustActivation(tc.kind)
			if tc.alpha != 0 {
				a.Alpha = tc.alpha
			}
			checkGradients(t, gradCase{name: a.Describe(), layer: a, shapes: [][]int{shape}, avoid: tc.avoid})
		}
	}
}

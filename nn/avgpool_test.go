package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestAvgPool2DGradients(t *testing.T) {
	pool := func(k int, mod func(*AvgPool2D)) *AvgPool2D {
		p := NewAvgPool2D(k)
		if mod != nil {
			mod(p)
		}
		return p
	}
	pad1 := func(p *AvgPool2D) { p.PadT, p.PadL, p.PadB, p.PadR = 1, 1, 1, 1 }
	cases := []gradCase{
		{name: "2x2", layer: pool(2, nil), shapes: [][]int{{2, 3, 6, 6}}},
		{name: "odd input", layer: pool(2, nil), shapes: [][]int{{2, 2, 5, 7}}},
		{name: "3 stride 1 pad 1 excluding pad", layer: pool(3, func(p *AvgPool2D) { p.SH, p.SW = 1, 1; pad1(p) }), shapes: [][]int{{2, 2, 5, 5}}},
		{name: "3 stride 1 pad 1 including pad", layer: pool(3, func(p *AvgPool2D) { p.SH, p.SW, p.CountIncludePad = 1, 1, true; pad1(p) }), shapes: [][]int{{2, 2, 5, 5}}},
		{name: "ceil mode excluding pad", layer: pool(3, func(p *AvgPool2D) { p.SH, p.SW, p.CeilMode = 2, 2, true; pad1(p) }), shapes: [][]int{{1, 2, 6, 7}}},
		{name: "ceil mode including pad", layer: pool(3, func(p *AvgPool2D) { p.SH, p.SW, p.CeilMode, p.CountIncludePad = 2, 2, true, true; pad1(p) }), shapes: [][]int{{1, 2, 6, 7}}},
		{name: "asymmetric", layer: pool(2, func(p *AvgPool2D) {
			p.KW, p.SH, p.SW, p.PadT, p.PadL, p.PadB, p.PadR, p.CountIncludePad = 3, 1, 2, 1, 0, 0, 2, true
		}), shapes: [][]int{{2, 1, 5, 7}}},
	}
	for _, c := range cases {
		checkGradients(t, c)
	}
}

// TestAvgPool2DDivisor checks the divisor at a corner window, where the two
// count_include_pad settings differ, and in the ceil-mode overhang, which
// PyTorch never counts.
func TestAvgPool2DDivisor(t *testing.T) {
	for _, tc := range []struct {
		l    *AvgPool2D
		want []float32
	}{
		// 3x3 windows, stride 2, pad 1 over a 4x4 image of ones: out is 2x2.
		// Top-left window holds 4 pixels of 9 taps.
		{&AvgPool2D{KH: 3, KW: 3, SH: 2, SW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1}, []float32{1, 1, 1, 1}},
		{&AvgPool2D{KH: 3, KW: 3, SH: 2, SW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1, CountIncludePad: true}, []float32{4. / 9, 6. / 9, 6. / 9, 9. / 9}},
		// Ceil mode, no padding: 4x4 with 3x3 stride 2 gives 2x2; the last
		// window overhangs by one row and column, which is not counted.
		{&AvgPool2D{KH: 3, KW: 3, SH: 2, SW: 2, CeilMode: true, CountIncludePad: true}, []float32{1, 1, 1, 1}},
	} {
		shape, err := tc.l.Build([][]int{{1, 4, 4}})
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.New(1, 1, 4, 4)
		for i := range x.Data {
			x.Data[i] = 1
		}
		out := tensor.New(append([]int{1}, shape...)...)
		tc.l.Forward([]*tensor.Tensor{x}, out, false)
		for i, v := range tc.want {
			if d := out.Data[i] - v; d > 1e-6 || d < -1e-6 {
				t.Errorf("%s: out = %v, want %v", tc.l.Describe(), out.Data, tc.want)
				break
			}
		}
	}
}

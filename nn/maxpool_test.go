package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// distinctInputs fills the inputs with a shuffled ladder of values 0.1
// apart, so no two elements tie and the ±0.01 steps of the finite
// difference never change which one is the maximum.
func distinctInputs(rng *rand.Rand, in []*tensor.Tensor) {
	for _, x := range in {
		perm := rng.Perm(len(x.Data))
		for i, p := range perm {
			x.Data[i] = float32(p-len(perm)/2) * 0.1
		}
	}
}

func TestMaxPool2DGradients(t *testing.T) {
	pool := func(k int, mod func(*MaxPool2D)) *MaxPool2D {
		p := NewMaxPool2D(k)
		if mod != nil {
			mod(p)
		}
		return p
	}
	cases := []gradCase{
		{name: "2x2", layer: pool(2, nil), shapes: [][]int{{2, 3, 6, 6}}},
		{name: "odd input drops the edge", layer: pool(2, nil), shapes: [][]int{{2, 2, 5, 7}}},
		{name: "3 stride 2 pad 1", layer: pool(3, func(p *MaxPool2D) { p.SH, p.SW, p.PadT, p.PadL, p.PadB, p.PadR = 2, 2, 1, 1, 1, 1 }), shapes: [][]int{{2, 2, 7, 7}}},
		{name: "overlapping stride 1", layer: pool(3, func(p *MaxPool2D) { p.SH, p.SW = 1, 1 }), shapes: [][]int{{1, 2, 5, 6}}},
		{name: "ceil mode", layer: pool(3, func(p *MaxPool2D) { p.SH, p.SW, p.CeilMode = 2, 2, true }), shapes: [][]int{{2, 2, 6, 6}}},
		{name: "ceil mode drops a window in the padding", layer: pool(2, func(p *MaxPool2D) { p.PadT, p.PadL, p.PadB, p.PadR, p.CeilMode = 1, 1, 1, 1, true }), shapes: [][]int{{1, 2, 5, 5}}},
		{name: "dilation 2", layer: pool(2, func(p *MaxPool2D) { p.DH, p.DW, p.SH, p.SW, p.PadT, p.PadB = 2, 2, 1, 1, 1, 1 }), shapes: [][]int{{2, 2, 7, 6}}},
		{name: "asymmetric kernel, stride and pads", layer: pool(2, func(p *MaxPool2D) {
			p.KW, p.SH, p.SW, p.PadT, p.PadL, p.PadB, p.PadR = 3, 1, 2, 1, 0, 0, 2
		}), shapes: [][]int{{2, 1, 5, 7}}},
		{name: "dilated ceil asymmetric", layer: pool(3, func(p *MaxPool2D) {
			p.SH, p.SW, p.DH, p.DW, p.PadT, p.PadR, p.CeilMode = 2, 3, 2, 1, 2, 1, true
		}), shapes: [][]int{{2, 2, 9, 8}}},
	}
	for _, c := range cases {
		c.inputs = distinctInputs
		checkGradients(t, c)
	}
}

// TestMaxPool2DValues checks a small case by hand, including padding that
// must not win over negative pixels.
func TestMaxPool2DValues(t *testing.T) {
	p := NewMaxPool2D(2)
	p.PadT, p.PadL, p.PadB, p.PadR = 1, 1, 1, 1
	shape, err := p.Build([][]int{{1, 3, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.EqualShape(shape, []int{1, 2, 2}) {
		t.Fatalf("shape %v, want (1, 2, 2)", shape)
	}
	x := tensor.FromData([]float32{
		-1, -2, -3,
		-4, -5, -6,
		-7, -8, -9,
	}, 1, 1, 3, 3)
	out := tensor.New(1, 1, 2, 2)
	p.Forward([]*tensor.Tensor{x}, out, true)
	want := []float32{-1, -2, -4, -5}
	for i, v := range want {
		if out.Data[i] != v {
			t.Fatalf("out = %v, want %v", out.Data, want)
		}
	}
	dx := tensor.New(1, 1, 3, 3)
	p.Backward([]*tensor.Tensor{x}, out, tensor.FromData([]float32{1, 2, 3, 4}, 1, 1, 2, 2), []*tensor.Tensor{dx})
	wantDx := []float32{1, 2, 0, 3, 4, 0, 0, 0, 0}
	for i, v := range wantDx {
		if dx.Data[i] != v {
			t.Fatalf("dx = %v, want %v", dx.Data, wantDx)
		}
	}
}

func TestPoolOutputShapes(t *testing.T) {
	for _, tc := range []struct {
		l    Layer
		in   []int
		want []int
	}{
		{NewMaxPool2D(2), []int{6, 28, 28}, []int{6, 14, 14}},
		{NewMaxPool2D(2), []int{3, 5, 7}, []int{3, 2, 3}},
		{&MaxPool2D{KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1, CeilMode: true}, []int{3, 5, 7}, []int{3, 3, 4}},
		// PyTorch: (5 + 2 - 2)/2 rounds up to 3, +1 = 4, but the 4th window would start in the bottom padding.
		{&MaxPool2D{KH: 2, KW: 2, SH: 2, SW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1, CeilMode: true}, []int{1, 5, 5}, []int{1, 3, 3}},
		{&MaxPool2D{KH: 3, KW: 3, SH: 2, SW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}, []int{64, 112, 112}, []int{64, 56, 56}},
		{&MaxPool2D{KH: 2, KW: 2, SH: 1, SW: 1, DH: 3, DW: 2}, []int{1, 7, 7}, []int{1, 4, 5}},
		{&AvgPool2D{KH: 3, KW: 3, SH: 2, SW: 2, CeilMode: true}, []int{2, 8, 8}, []int{2, 4, 4}},
		{NewGlobalAvgPool(), []int{16, 7, 7}, []int{16, 1, 1}},
		{NewGlobalMaxPool(), []int{16, 5}, []int{16, 1}},
	} {
		got, err := tc.l.Build([][]int{tc.in})
		if err != nil {
			t.Errorf("%s on %v: %v", tc.l.(Describer).Describe(), tc.in, err)
			continue
		}
		if !tensor.EqualShape(got, tc.want) {
			t.Errorf("%s on %v gives %v, want %v", tc.l.(Describer).Describe(), tc.in, got, tc.want)
		}
	}
}

func TestPoolBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		l    Layer
		in   []int
		want string
	}{
		{NewMaxPool2D(3), []int{4, 2, 2}, "maxpool(3): window 3x3 is larger than the 2x2 input with its padding"},
		{&MaxPool2D{KH: 2, KW: 2, SH: 1, SW: 1, DH: 3, DW: 3}, []int{1, 3, 8}, "maxpool(2,stride=1,dilation=3): window 4x4 is larger than the 3x8 input"},
		{NewAvgPool2D(5), []int{1, 4, 9}, "avgpool(5): window 5x5 is larger than the 4x9 input"},
		{NewMaxPool2D(2), []int{120}, "maxpool(2) expects an image input (C,H,W), gets (120)"},
		{&MaxPool2D{KH: 2, KW: 2, SH: 2, SW: 2, PadT: 2, PadL: 2, PadB: 2, PadR: 2, DH: 1, DW: 1}, []int{1, 8, 8}, "padding must be smaller than the 2x2 window"},
		{&AvgPool2D{KH: 2, KW: 2}, []int{1, 8, 8}, "stride and dilation must be at least 1"},
		{&MaxPool2D{KH: 2, KW: 2, SH: 2, SW: 2, PadT: -1, DH: 1, DW: 1}, []int{1, 8, 8}, "padding cannot be negative"},
		{NewGlobalAvgPool(), []int{10}, "globalavgpool expects an image input (C,H,W), gets (10)"},
	} {
		_, err := tc.l.Build([][]int{tc.in})
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Build(%v) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

func TestPoolDescribe(t *testing.T) {
	for _, tc := range []struct {
		l    Describer
		want string
	}{
		{NewMaxPool2D(2), "maxpool(2)"},
		{&MaxPool2D{KH: 3, KW: 3, SH: 2, SW: 2, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}, "maxpool(3,stride=2,pad=1)"},
		{&MaxPool2D{KH: 2, KW: 3, SH: 1, SW: 1, PadT: 1, DH: 2, DW: 2, CeilMode: true}, "maxpool(2x3,stride=1,pad=1:0:0:0,dilation=2,ceil=true)"},
		{NewAvgPool2D(2), "avgpool(2)"},
		{&AvgPool2D{KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, CountIncludePad: true}, "avgpool(3,stride=1,pad=1,include_pad=true)"},
		{NewGlobalAvgPool(), "globalavgpool"},
		{NewGlobalMaxPool(), "globalmaxpool"},
		{NewDropout(0.5), "dropout(0.5)"},
		{NewBatchNorm2D(), "batchnorm"},
		{&BatchNorm2D{Momentum: 0.01, Eps: 1e-3}, "batchnorm(eps=0.001,momentum=0.01)"},
		{NewAdd(), "add"},
		{NewConcat(), "concat"},
		{NewPReLU(), "prelu"},
		{&PReLU{Shared: true}, "prelu(shared=true)"},
	} {
		if got := tc.l.Describe(); got != tc.want {
			t.Errorf("Describe() = %q, want %q", got, tc.want)
		}
	}
}

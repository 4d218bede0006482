package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestConv2DGradients(t *testing.T) {
	conv := func(f, k int, mod func(*Conv2D)) *Conv2D {
		c := NewConv2D(f, k)
		if mod != nil {
			mod(c)
		}
		return c
	}
	cases := []gradCase{
		{name: "plain 3x3", layer: conv(4, 3, nil), shapes: [][]int{{2, 3, 6, 5}}},
		{name: "stride 2 pad 1", layer: conv(3, 3, func(c *Conv2D) { c.SH, c.SW, c.PadT, c.PadL, c.PadB, c.PadR = 2, 2, 1, 1, 1, 1 }), shapes: [][]int{{2, 2, 7, 7}}},
		{name: "asymmetric pad and stride", layer: conv(2, 2, func(c *Conv2D) { c.KW, c.SH, c.PadT, c.PadL, c.PadR = 3, 3, 2, 0, 1 }), shapes: [][]int{{1, 2, 5, 6}}},
		{name: "dilation 2", layer: conv(3, 3, func(c *Conv2D) { c.DH, c.DW, c.PadT, c.PadB = 2, 2, 1, 1 }), shapes: [][]int{{2, 2, 7, 8}}},
		{name: "groups 2", layer: conv(4, 3, func(c *Conv2D) { c.Groups = 2; c.PadT, c.PadL, c.PadB, c.PadR = 1, 1, 1, 1 }), shapes: [][]int{{2, 4, 5, 5}}},
		{name: "depthwise", layer: conv(3, 3, func(c *Conv2D) { c.Groups = 3 }), shapes: [][]int{{2, 3, 5, 5}}},
		{name: "1x1 no bias", layer: conv(5, 1, func(c *Conv2D) { c.NoBias = true }), shapes: [][]int{{3, 4, 3, 3}}},
		// On AVX-512 its forward pass is Winograd's (conv2d_winograd.go), its
		// gradients the direct sums: the finite differences check they agree.
		{name: "RGB 3x3 pad 1", layer: conv(2, 3, func(c *Conv2D) { c.PadT, c.PadL, c.PadB, c.PadR = 1, 1, 1, 1 }), shapes: [][]int{{2, 3, 4, 32}}},
		{name: "odd sizes", layer: conv(3, 5, func(c *Conv2D) { c.KW, c.SW, c.PadL, c.PadR = 2, 3, 1, 2 }), shapes: [][]int{{3, 1, 9, 7}}},
	}
	for _, c := range cases {
		checkGradients(t, c)
	}
}

func TestConv2DBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		l     *Conv2D
		shape []int
		want  string
	}{
		{NewConv2D(6, 5), []int{1, 3, 3}, "does not fit"},
		{&Conv2D{Filters: 6, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Groups: 4}, []int{6, 8, 8}, "groups=4 must divide"},
		{NewConv2D(6, 5), []int{784}, "expects an image input"},
	} {
		_, err := tc.l.Build([][]int{tc.shape})
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Build(%v) error = %v, want it to mention %q", tc.shape, err, tc.want)
		}
	}
}

// TestEmptyBatch: a batch of zero examples is not an error, and leaves
// zero parameter gradients.
func TestEmptyBatch(t *testing.T) {
	g, err := BuildGraph("conv(2,3) prelu flatten dense(3)", []int{1, 5, 5}, SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g.Init(1)
	out := g.Forward(tensor.New(0, 1, 5, 5), true)
	g.Backward(tensor.New(out.Shape...))
	for _, p := range g.Params() {
		for _, v := range p.Grad.Data {
			if v != 0 {
				t.Fatalf("%s: gradient %v from an empty batch", p.Name, v)
			}
		}
	}
}

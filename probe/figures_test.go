package probe

import (
	"image/color"
	"math"
	"strings"
	"testing"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// TestMapGridSharesOneScale draws a layer whose two channels are constant
// at different values: on one scale for the layer the low channel is the
// palette's bottom and the high one its top (a scale per tile would paint
// both the middle colour), and the bar under the tiles runs over that scale.
func TestMapGridSharesOneScale(t *testing.T) {
	m := &Maps{Name: "relu1", Type: "relu", Desc: "relu", Shape: []int{2, 2, 2}, Data: []float32{1, 1, 1, 1, 3, 3, 3, 3}}
	img := MapGrid(m)
	s := upscale(2, minTile)
	label := "relu1 #1"
	cellW := max(2*s, textWidth(label)) + pad
	cellH := lineH + 2 + 2*s + pad
	top := pad + lineH + pad
	tileY := top + lineH + 2 + s
	if got := img.RGBAAt(pad+s, tileY); got != Viridis.At(0) {
		t.Errorf("channel 0 (all 1) drawn %v, want the scale's low end %v", got, Viridis.At(0))
	}
	if got := img.RGBAAt(pad+cellW+s, tileY); got != Viridis.At(1) {
		t.Errorf("channel 1 (all 3) drawn %v, want the scale's high end %v", got, Viridis.At(1))
	}
	barY := top + cellH + lineH + 2 + barH/2
	if lo, hi := img.RGBAAt(pad, barY), img.RGBAAt(pad+barW-1, barY); lo != Viridis.At(0) || hi != Viridis.At(1) {
		t.Errorf("colour bar runs %v to %v, want %v to %v", lo, hi, Viridis.At(0), Viridis.At(1))
	}
}

// TestFilterGridColours checks what each filter tile shows: a first layer
// on RGB input one colour tile per filter with its three channels as red,
// green and blue; a grey first layer grey tiles; a deeper layer one tile per
// (filter, input channel) on a diverging scale symmetric about 0.
func TestFilterGridColours(t *testing.T) {
	// The centre of filter 0's tile in filterTiles' layout, for 1×1 kernels.
	s := upscale(1, minTile)
	x, y := pad+s/2, pad+lineH+pad+lineH+2+s/2

	// Filter 0 weighs red 1, green 0, blue -1; the scale runs -1..1.
	rgb := FilterGrid("conv1", "conv(2,1)", tensor.FromData([]float32{1, 0, -1, 0, 0, 0}, 2, 3, 1, 1), true)
	if got, want := rgb.RGBAAt(x, y), (color.RGBA{255, 128, 0, 255}); got != want {
		t.Errorf("RGB filter 0 drawn %v, want %v", got, want)
	}

	grey := FilterGrid("conv1", "conv(1,1)", tensor.FromData([]float32{0.5}, 1, 1, 1, 1), false)
	if got := grey.RGBAAt(x, y); got.R != got.G || got.G != got.B {
		t.Errorf("grey filter drawn in colour: %v", got)
	}

	// Two filters of two input channels: w[f][c] = 1, -1, 0, 0.5.
	deep := FilterGrid("conv2", "conv(2,1)", tensor.FromData([]float32{1, -1, 0, 0.5}, 2, 2, 1, 1), false)
	s = upscale(1, 24)
	cell := s + 2
	left := pad + textWidth("#1 ")
	top := pad + lineH + pad + lineH + 2 + lineH + 2
	for _, c := range []struct {
		f, ch int
		t     float64 // where on the cool-warm palette the weight lies
	}{{0, 0, 1}, {0, 1, 0}, {1, 0, 0.5}, {1, 1, 0.75}} {
		if got, want := deep.RGBAAt(left+c.ch*cell+s/2, top+c.f*cell+s/2), CoolWarm.At(c.t); got != want {
			t.Errorf("filter %d, input channel %d drawn %v, want %v", c.f, c.ch, got, want)
		}
	}
}

// TestUpdateRatios checks ‖ΔW‖/‖W‖ on a dense layer whose weights a
// pretend step doubles, and that the advice names it.
func TestUpdateRatios(t *testing.T) {
	g := nn.NewGraph(2)
	d := nn.NewDense(2)
	g.MustAdd(d)
	g.MustAdd(nn.MustActivation("relu"))
	g.Init(1)
	copy(d.W.Value.Data, []float32{3, 0, 0, 4})
	before := WeightSnapshot(g)
	copy(d.W.Value.Data, []float32{6, 0, 0, 8}) // ΔW = (3,0,0,4): ‖ΔW‖ = 5, ‖W‖ = 10
	h := Measure(g, tensor.FromData([]float32{1, 1}, 1, 2), nil, 0)
	UpdateRatios(h, g, before)
	if r := h.Layer("dense1").UpdateRatio; math.Abs(r-0.5) > 1e-7 {
		t.Errorf("update ratio %v, want 0.5", r)
	}
	if r := h.Layer("relu1").UpdateRatio; r != 0 {
		t.Errorf("relu1 has an update ratio %v", r)
	}
	adv := (&Advisor{}).Advise(1, h)
	if len(adv) != 1 || !strings.HasPrefix(adv[0], "dense1: one step changes the weights by 50% of their size - lower the learning rate") {
		t.Errorf("advice %q", adv)
	}
}

package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// TestConv2DWinograd checks that 3-channel 3×3 layers whose forward pass
// takes the Winograd path agree with the direct path to within rounding,
// and give the same bits of the gradients, which do not go through it,
// at 1 and 2 threads, on batches that split examples into parts (1 example
// on 2 threads) and that do not, with a bias and without; and that layers
// the kernel does not cover stay off the path.
func TestConv2DWinograd(t *testing.T) {
	if !kernel.WinogradApplies(kernel.ConvGeom{C: 3, H: 2, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}, 2) {
		t.Skip("no Winograd kernel on this CPU")
	}
	defer func() { winogradEnabled = true }()
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range []struct {
		filters, h, w int
		noBias        bool
	}{
		{32, 32, 32, false},
		{6, 10, 64, true},
		{8, 40, 512, false}, // over implicitSplitMin: 1 example on 2 threads is split in 2
	} {
		l := NewConv2D(c.filters, 3)
		l.PadT, l.PadL, l.PadB, l.PadR = 1, 1, 1, 1
		l.NoBias = c.noBias
		shape, err := l.Build([][]int{{3, c.h, c.w}})
		if err != nil {
			t.Fatal(err)
		}
		if !l.winogradForward() {
			t.Fatalf("%+v: the layer does not take the Winograd path", c)
		}
		if split := withThreadsParts(l, 2, 1); c.h == 40 && split != 2 {
			t.Fatalf("%+v: 1 example on 2 threads is in %d parts, want 2", c, split)
		}
		l.InitParams(rng, "relu")
		if l.B != nil {
			for i := range l.B.Value.Data {
				l.B.Value.Data[i] = 2*rng.Float32() - 1
			}
		}
		for _, n := range []int{1, 3} {
			x := randTensor(rng, n, 3, c.h, c.w)
			dy := randTensor(rng, append([]int{n}, shape...)...)
			for _, threads := range []int{1, 2} {
				var got [2][4][]float32 // per path: out, dx, dW, dB
				for i, on := range []bool{false, true} {
					winogradEnabled = on
					out := tensor.New(append([]int{n}, shape...)...)
					dx := tensor.New(x.Shape...)
					withThreads(threads, func() {
						l.Forward([]*tensor.Tensor{x}, out, true)
						l.Backward([]*tensor.Tensor{x}, out, dy, []*tensor.Tensor{dx})
					})
					got[i] = [4][]float32{out.Data, dx.Data, append([]float32(nil), l.W.Grad.Data...), nil}
					if l.B != nil {
						got[i][3] = append([]float32(nil), l.B.Grad.Data...)
					}
				}
				// The scale of an output's rounding error: the sum of the
				// magnitudes of its terms is at most 27·max|w|·max|x| + |b|.
				scale := 27 * maxAbs(l.W.Value.Data) * maxAbs(x.Data)
				if l.B != nil {
					scale += maxAbs(l.B.Value.Data)
				}
				for i, v := range got[1][0] {
					if d := math.Abs(float64(v - got[0][0][i])); !(d <= 1e-6*float64(scale)) {
						t.Fatalf("%+v, n=%d, %d threads: out[%d] = %v Winograd, %v direct", c, n, threads, i, v, got[0][0][i])
					}
				}
				for k, name := range []string{"dx", "dW", "dB"} {
					for i, v := range got[1][1+k] {
						if math.Float32bits(v) != math.Float32bits(got[0][1+k][i]) {
							t.Fatalf("%+v, n=%d, %d threads: %s[%d] = %v Winograd, %v direct", c, n, threads, name, i, v, got[0][1+k][i])
						}
					}
				}
			}
		}
	}
	for _, c := range []struct{ ch, filters, k, pad, h, w int }{
		{1, 32, 3, 1, 32, 32}, // one channel
		{3, 32, 5, 2, 32, 32}, // 5×5
		{3, 32, 3, 0, 32, 32}, // no padding
		{3, 32, 3, 1, 32, 16}, // 16 wide
		{3, 32, 3, 1, 31, 32}, // odd height
		{3, 7, 3, 1, 32, 32},  // odd filter count
	} {
		l := NewConv2D(c.filters, c.k)
		l.PadT, l.PadL, l.PadB, l.PadR = c.pad, c.pad, c.pad, c.pad
		if _, err := l.Build([][]int{{c.ch, c.h, c.w}}); err != nil {
			t.Fatal(err)
		}
		if l.winogradForward() {
			t.Errorf("%+v takes the Winograd path", c)
		}
	}
}

// withThreadsParts returns l.implicitParts(n, false) at the thread count.
func withThreadsParts(l *Conv2D, threads, n int) (parts int) {
	withThreads(threads, func() { parts = l.implicitParts(n, false) })
	return parts
}

func maxAbs(s []float32) float32 {
	var m float32
	for _, v := range s {
		m = max(m, float32(math.Abs(float64(v))))
	}
	return m
}

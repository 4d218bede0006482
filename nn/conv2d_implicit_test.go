package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// slowConv2D is the definition of Conv2D as loops in float64: the output,
// and given the output gradient dy, the input, weight and bias gradients.
func slowConv2D(l *Conv2D, x, dy *tensor.Tensor) (y, dx, dw, db []float64) {
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow := dy.Shape[2], dy.Shape[3]
	f, cg, fg := l.Filters, c/l.Groups, l.Filters/l.Groups
	y = make([]float64, n*f*oh*ow)
	dx = make([]float64, len(x.Data))
	dw = make([]float64, len(l.W.Value.Data))
	db = make([]float64, f)
	for s := 0; s < n; s++ {
		for o := 0; o < f; o++ {
			gi := o / fg
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					yi := ((s*f+o)*oh+oy)*ow + ox
					if l.B != nil {
						y[yi] = float64(l.B.Value.Data[o])
					}
					d := float64(dy.Data[yi])
					db[o] += d
					for ci := 0; ci < cg; ci++ {
						for ki := 0; ki < l.KH; ki++ {
							for kj := 0; kj < l.KW; kj++ {
								iy, ix := oy*l.SH-l.PadT+ki*l.DH, ox*l.SW-l.PadL+kj*l.DW
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								xi := ((s*c+gi*cg+ci)*h+iy)*w + ix
								wi := ((o*cg+ci)*l.KH+ki)*l.KW + kj
								y[yi] += float64(l.W.Value.Data[wi]) * float64(x.Data[xi])
								dx[xi] += float64(l.W.Value.Data[wi]) * d
								dw[wi] += float64(x.Data[xi]) * d
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw, db
}

// TestConv2DImplicit checks the implicit-GEMM path against slowConv2D on
// layers that take it: channel counts around the 8-row tiles, images whose
// pixel counts leave every panel tail, a batch cut into chunks of several
// examples or of output rows (the 50×50 image), batches smaller than the
// thread count split into parts of images (the 50×50 and 17×19 images at
// 2 and 3 threads), padding up to the kernel's reach on each side,
// dilation, groups and a layer without bias, with the weight gradient on
// each path that can take it (direct, columns, image), with the input
// gradient and without it (as a first layer), the last pixels of
// images with and without shared tail panels; and the forward pass alone,
// for layers with fewer than 8 input channels.
func TestConv2DImplicit(t *testing.T) { checkConv2DPaths(t, true) }

// TestConv2DShifted runs the same cases on the shifted path, which CPUs
// without AVX-512 take for every stride-1 layer.
func TestConv2DShifted(t *testing.T) {
	implicitEnabled = false
	defer func() { implicitEnabled = true }()
	checkConv2DPaths(t, false)
}

func checkConv2DPaths(t *testing.T, implicit bool) {
	type tc struct {
		n, c, h, w int
		mod        func(*Conv2D)
		f, k       int
	}
	pad := func(t, l, b, r int) func(*Conv2D) {
		return func(c *Conv2D) { c.PadT, c.PadL, c.PadB, c.PadR = t, l, b, r }
	}
	cases := []tc{
		{3, 8, 5, 7, pad(1, 1, 1, 1), 8, 3},
		{5, 9, 6, 6, pad(1, 1, 1, 1), 17, 3},
		{2, 16, 14, 14, pad(0, 0, 0, 0), 12, 5},
		{3, 8, 4, 33, pad(2, 1, 0, 2), 9, 3},
		{1, 8, 50, 50, pad(1, 1, 1, 1), 64, 3},
		{2, 16, 17, 19, pad(1, 1, 1, 1), 96, 3},
		{4, 10, 9, 8, func(c *Conv2D) { c.KW = 2; c.PadT, c.PadB, c.PadR = 2, 1, 1 }, 8, 3},
		{2, 8, 9, 9, func(c *Conv2D) { c.DH, c.DW = 2, 2; c.PadT, c.PadL, c.PadB, c.PadR = 2, 2, 2, 2 }, 8, 3},
		{3, 16, 6, 5, func(c *Conv2D) { c.Groups = 2; c.PadT, c.PadL, c.PadB, c.PadR = 1, 1, 1, 1 }, 16, 3},
		{2, 8, 7, 7, func(c *Conv2D) { c.NoBias = true }, 8, 3},
		// Shared tail panels over groups, on images copied unpadded, and
		// over more examples than one product takes (8 of 6×6).
		{3, 16, 6, 6, func(c *Conv2D) { c.Groups = 2; c.PadT, c.PadL, c.PadB, c.PadR = 1, 1, 1, 1 }, 16, 3},
		{3, 8, 8, 8, func(c *Conv2D) { c.NoBias = true }, 8, 3},
		{19, 4, 6, 6, pad(1, 1, 1, 1), 8, 3},
		{33, 8, 3, 3, pad(1, 1, 1, 1), 8, 3},
		// Weights of kernel.SpreadMin values or more: given their bias
		// column, flipped and summed over the threads.
		{3, 64, 6, 5, pad(1, 1, 1, 1), 72, 3},
		// Up to 4 input channels on images a multiple of 16 wide: the
		// input gradient on the 4-row kernel.
		{2, 3, 6, 16, pad(1, 1, 1, 1), 8, 3},
		{3, 4, 5, 32, pad(1, 1, 1, 1), 5, 3},
		{2, 1, 4, 48, pad(0, 2, 2, 0), 3, 3},
		// Fewer than 8 input channels: the forward pass alone.
		{4, 3, 10, 9, pad(1, 1, 1, 1), 16, 3},
		{3, 1, 12, 12, pad(0, 0, 0, 0), 8, 5},
		{2, 1, 28, 28, pad(2, 2, 2, 2), 6, 5},
		// Padding past the kernel's reach: the input gradient through col2im.
		{2, 8, 5, 5, pad(3, 2, 0, 1), 8, 3},
		// LeNet-5's second layer as convnet train builds it: the input
		// gradient through the column matrix at the output's width.
		{3, 6, 14, 14, pad(0, 0, 0, 0), 16, 5},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, cs := range cases {
		l := NewConv2D(cs.f, cs.k)
		cs.mod(l)
		name := fmt.Sprintf("%dx%dx%dx%d %s", cs.n, cs.c, cs.h, cs.w, l.Describe())
		shape, err := l.Build([][]int{{cs.c, cs.h, cs.w}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l.implicitForward() != implicit {
			t.Fatalf("%s: implicit path %v, want %v", name, l.implicitForward(), implicit)
		}
		for _, p := range l.Params() {
			for i := range p.Value.Data {
				p.Value.Data[i] = 2*rng.Float32() - 1
			}
		}
		x := randTensor(rng, cs.n, cs.c, cs.h, cs.w)
		out := tensor.New(append([]int{cs.n}, shape...)...)
		dy := randTensor(rng, out.Shape...)
		dx := tensor.New(x.Shape...)
		y, wdx, wdw, wdb := slowConv2D(l, x, dy)
		for _, threads := range []int{1, 2, 3} {
			// direct weight gradient, wide forward, image weight gradient,
			// shared tail panels, input gradient through the column matrix
			for _, paths := range [][5]bool{{false, false, false, true, true}, {false, false, true, true, false}, {false, false, true, false, true},
				{true, false, true, true, true}, {false, true, false, true, false}, {true, true, true, true, true}} {
				direct, wide, image, tails, columns := paths[0], paths[1], paths[2], paths[3], paths[4]
				withThreads(threads, func() {
					withPaths(direct, wide, func() {
						wgradImageEnabled, tailsEnabled, columnsInputGradEnabled = image, tails, columns
						defer func() { wgradImageEnabled, tailsEnabled, columnsInputGradEnabled = true, true, true }()
						for i := range out.Data {
							out.Data[i] = float32(math.NaN())
						}
						l.Forward([]*tensor.Tensor{x}, out, true)
						l.Backward([]*tensor.Tensor{x}, out, dy, []*tensor.Tensor{dx})
						what := fmt.Sprintf("%s, %d threads, direct weight gradient %v, wide forward %v, image weight gradient %v, shared tails %v, columns input gradient %v",
							name, threads, direct, wide, image, tails, columns)
						compareFloats(t, what+": output", out.Data, y)
						compareFloats(t, what+": input gradient", dx.Data, wdx)
						compareFloats(t, what+": weight gradient", l.W.Grad.Data, wdw)
						if l.B != nil {
							compareFloats(t, what+": bias gradient", l.B.Grad.Data, wdb)
						}
						// As a first layer: the parameter gradients alone.
						l.Backward([]*tensor.Tensor{x}, out, dy, []*tensor.Tensor{nil})
						compareFloats(t, what+", no input gradient: weight gradient", l.W.Grad.Data, wdw)
						if l.B != nil {
							compareFloats(t, what+", no input gradient: bias gradient", l.B.Grad.Data, wdb)
						}
					})
				})
			}
		}
	}
}

// withPaths runs f with the weight gradient on the direct path and the
// forward pass on the wide path wherever each can run (see directWgrad and
// wideForward), or on the column and gather paths everywhere.
func withPaths(direct, wide bool, f func()) {
	prevDirect, prevWide := wgradDirectWins, wideWins
	wgradDirectWins = func(*Conv2D) bool { return direct }
	wideWins = func(*Conv2D) bool { return wide }
	defer func() { wgradDirectWins, wideWins = prevDirect, prevWide }()
	f()
}

// compareFloats fails unless got matches want to float32 rounding of sums
// of a few hundred terms.
func compareFloats(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	for i, w := range want {
		if d := math.Abs(float64(got[i]) - w); !(d <= 1e-4*(1+math.Abs(w))) {
			t.Fatalf("%s: [%d] = %g, want %g", what, i, got[i], w)
		}
	}
}

// withThreads runs f with the engine's parallel loops at n threads.
func withThreads(n int, f func()) {
	prev := kernel.Threads()
	kernel.SetThreads(n)
	defer kernel.SetThreads(prev)
	f()
}

// TestConv2DImplicitRebuild builds one layer for several image sizes in
// turn, with the same number of column rows: the offsets into the padded
// image depend on its width too, and must follow the new geometry; and the
// workers' padded buffers must not keep the old borders when the new
// padded image has the same size (12×10 after 10×12).
func TestConv2DImplicitRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	l := NewConv2D(8, 3)
	l.PadT, l.PadL, l.PadB, l.PadR = 1, 1, 1, 1
	for _, hw := range [][2]int{{10, 10}, {12, 9}, {10, 10}, {10, 12}, {12, 10}} {
		shape, err := l.Build([][]int{{8, hw[0], hw[1]}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Params() {
			for i := range p.Value.Data {
				p.Value.Data[i] = 2*rng.Float32() - 1
			}
		}
		x := randTensor(rng, 2, 8, hw[0], hw[1])
		out := tensor.New(append([]int{2}, shape...)...)
		dy := randTensor(rng, out.Shape...)
		dx := tensor.New(x.Shape...)
		l.Forward([]*tensor.Tensor{x}, out, true)
		l.Backward([]*tensor.Tensor{x}, out, dy, []*tensor.Tensor{dx})
		y, wdx, wdw, _ := slowConv2D(l, x, dy)
		what := fmt.Sprintf("%dx%d", hw[0], hw[1])
		compareFloats(t, what+": output", out.Data, y)
		compareFloats(t, what+": input gradient", dx.Data, wdx)
		compareFloats(t, what+": weight gradient", l.W.Grad.Data, wdw)
	}
}

// TestConv2DImplicitAllocs: once warm, a forward and backward pass of the
// implicit path allocates nothing, with B read in place (16×16) or packed
// (7×7, and 14×14 with shared tail panels).
func TestConv2DImplicitAllocs(t *testing.T) {
	if raceEnabled() {
		t.Skip("the race detector allocates on its own")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	// 8 channels on the 8-row kernels, 3 (RGB) on the thin ones; 14×14
	// images share their tail panels.
	for _, s := range [][2]int{{8, 16}, {8, 7}, {8, 14}, {3, 16}, {3, 32}} {
		c, hw := s[0], s[1]
		l := NewConv2D(16, 3)
		l.PadT, l.PadL, l.PadB, l.PadR = 1, 1, 1, 1
		shape, err := l.Build([][]int{{c, hw, hw}})
		if err != nil {
			t.Fatal(err)
		}
		l.InitParams(rng, "relu")
		x := randTensor(rng, 4, c, hw, hw)
		out := tensor.New(append([]int{4}, shape...)...)
		dy := randTensor(rng, out.Shape...)
		dx := tensor.New(x.Shape...)
		step := func() {
			l.Forward([]*tensor.Tensor{x}, out, true)
			l.Backward([]*tensor.Tensor{x}, out, dy, []*tensor.Tensor{dx})
		}
		withThreads(1, func() {
			step()
			if a := testing.AllocsPerRun(5, step); a != 0 {
				t.Errorf("%d×%dx%d: %v allocations per step", c, hw, hw, a)
			}
		})
	}
}

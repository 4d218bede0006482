package nn

import "github.com/convnet/convnet/internal/kernel"

// The forward pass of a 3-channel, 3×3, padding-1 layer by Winograd's
// F(2×2, 3×3) (kernel.WinogradConv3): CIFAR's first layer. The direct
// product sums only 27 taps and the bias per output, and its best kernel
// ran it at 98 GFLOP/s of a 116 GFLOP/s FMA peak (AMD Zen 4); F(2×2, 3×3)
// does 16 multiply-adds per channel for 4 outputs where the direct sum does
// 36. BenchmarkConv2D, 1 thread, 32×3×32×32 → 32 filters: forward 98 → 194
// GFLOP/s (nominal: the direct sum's FLOPs over the time), forward and
// backward 103 → 118; side by side with PyTorch, 2.97x → 3.68x at 1 thread
// (docs/BENCHMARKS.md). Its outputs differ from the direct sum's by
// rounding only.
//
// The weight and input gradients stay on the implicit path: they do not
// read the forward pass's output. An input gradient by F(2×2, 3×3) (32
// channels to 3) ran 1-8% slower than the direct kernel, its input
// transform bound by permutes and stores (docs/BENCHMARKS.md).

// winogradEnabled is false only in tests, to compare with the direct path.
var winogradEnabled = true

// winogradForward reports whether the forward pass takes this path.
func (l *Conv2D) winogradForward() bool {
	return winogradEnabled && l.Groups == 1 && l.implicitForward() && kernel.WinogradApplies(l.geom, l.Filters)
}

// winogradFilters writes l.wino, the transformed filters and the bias,
// before Forward's workers start.
func (l *Conv2D) winogradFilters() {
	l.wino = grow(l.wino, l.Filters*kernel.WinogradStride)
	var b []float32
	if l.B != nil {
		b = l.B.Value.Data
	}
	kernel.WinogradFilters(l.W.Value.Data, b, l.Filters, l.wino)
}

// forwardWinograd computes the output of the units l.steal hands this
// worker: unit u is part u%parts of example u/parts, a range of its tile
// rows (pairs of output rows).
func (l *Conv2D) forwardWinograd(x, out []float32, wk *convWork, parts int) {
	g := l.geom
	plane, npix, rows := g.C*g.H*g.W, g.H*g.W, g.H/2
	wk.wino = grow(wk.wino, kernel.WinogradScratch)
	for u, ok := l.steal.next(wk.id); ok; u, ok = l.steal.next(wk.id) {
		s, p := u/parts, u%parts
		xp := padded(g, x[s*plane:][:plane], &wk.xp)
		o := out[s*l.Filters*npix:][:l.Filters*npix]
		kernel.WinogradConv3(g, l.Filters, l.wino, xp, o, rows*p/parts, rows*(p+1)/parts, wk.wino)
	}
}

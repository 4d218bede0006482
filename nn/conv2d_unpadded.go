package nn

import "github.com/convnet/convnet/internal/kernel"

// The backward pass of a 3-channel layer with its output gradient read
// where it is. backwardSharedPad copies each example's output gradient
// into a zero-padded layout that both gradients read; for CIFAR's first
// layer (32×3×32×32, 32 filters) that is 32 planes of 34×34 an example,
// 10-12% of the layer's forward and backward passes. Here the direct weight
// gradient reads the output gradient's rows in place (as wgradDirect does
// without an input gradient), and the input gradient's 3 rows come from
// kernel.ConvGemm3Unpadded, whose masked loads stand in for the zero
// border: the same bits as through the padded copy
// (TestConv2DUnpaddedSameBits). CIFAR's first layer, forward and backward,
// alternating on one instance, 25 rounds, two runs: 1.03-1.06 at 1 thread,
// 1.03-1.05 at 2. A first layer's input gradient is wanted only when the
// input's is (Graph.InputGrad: saliency maps), or in the benchmarks, which
// time all three products as PyTorch does.

// unpaddedEnabled is false only in tests, to compare with the padded path.
var unpaddedEnabled = true

// planUnpaddedGrad decides, before the backward pass's workers start,
// whether it takes this path: it needs one group of 3 input channels, the
// thin product kernels, the weight gradient's rows path with no rows past
// the filters, and an input gradient the kernel can tile
// (kernel.NewUnpaddedPlan), whose plan is kept for the geometry, or nil
// when there is none.
func (l *Conv2D) planUnpaddedGrad() {
	g := l.geom
	l.unpadded = false
	if !unpaddedEnabled || l.Groups != 1 || g.C != 3 || !kernel.ConvGemmThin() || !l.implicitForward() ||
		!l.implicitInputGrad() || !l.wgradRows() || kernel.ConvWgradRowsAlloc(l.Filters) != l.Filters {
		return
	}
	if gg := l.gradGeom(); l.gradPlanGeom != gg {
		l.gradPlan, _ = kernel.NewUnpaddedPlan(gg)
		l.gradPlanGeom = gg
	}
	l.unpadded = l.gradPlan != nil
}

// backwardUnpadded is backwardImplicit on the direct weight gradient with
// planUnpaddedGrad's plan: for each example, the weight gradient's sums and
// then the input gradient, while the example's output gradient is in L2.
func (l *Conv2D) backwardUnpadded(x, dOut, dx []float32, wk *convWork, lo, hi int) {
	g := l.geom
	f, npix, plane := l.Filters, g.OutH()*g.OutW(), g.C*g.H*g.W
	kg := l.gradGeom().ColRows()
	l.wgradDirectInit(wk)
	px := l.wgradPixels(g.OutW())
	for s := lo; s < hi; s++ {
		d := dOut[s*f*npix:][:f*npix]
		l.wgradDirectAdd(x, d, npix, f*npix, px, wk, s, 1)
		// dx (3 × H·W) = W' (3 × F·KH·KW) · col', col' read from d
		kernel.ConvGemm3Unpadded(l.gradPlan, l.wFlip[:g.C*kg], kg, d, dx[s*plane:], g.H*g.W)
	}
	l.wgradDirectReduce(wk)
}

package nn

import "github.com/convnet/convnet/internal/kernel"

// The wide forward pass (kernel.ConvGemmWide): when the output width OW is
// not a multiple of 16, the implicit path packs B from the image with
// masked gathers, a run per output row in every 32 columns. Computed at the
// padded width Wp instead, every 16 consecutive output pixels are 16
// consecutive pixels of the image, so the micro-kernel loads them itself;
// the Wp-OW extra columns are computed and dropped when the rows are copied
// out OW wide.

// wideForward reports whether the forward pass takes the wide path: on a
// CPU with the vectorised kernel, for widths the direct path (OW a multiple
// of 16) does not take, where wideWins says it pays.
func (l *Conv2D) wideForward() bool {
	return kernel.ConvGemmWideFast() && l.geom.OutW()%16 != 0 && wideWins(l)
}

// wideWins is the shape rule, a variable so tests can take both paths: few
// filters per group, so that each gathered value of B would feed few rows
// of the product, and at most a quarter more columns; or 16 filters, at
// most half more columns, and rows not a multiple of 8 wide, whose gathers
// merge several runs of pixels in every half of a panel. BenchmarkConv2D,
// 1 thread, 3 runs each, wide against gather (cpu-GFLOP/s): LeNet's first
// layer (6 filters, OW 24 of Wp 28) 83-94 against 50-52; its second (16
// filters, OW 8 of 12) 112-115 against 128-138; 16×128×8×8 (OW 8 of 10)
// 115-118 against 169-172; 8×256×14×14 156-163 against 162-169; 1×64×56×56
// the same. The second layer of the LeNet-5 that `convnet train` builds
// (6×14×14 → 16 filters, OW 10 of 14), batch 32: 119-122 against 105-110.
var wideWins = func(l *Conv2D) bool {
	_, wp := l.geom.Padded()
	ow, fg := l.geom.OutW(), l.Filters/l.Groups
	return fg < 16 && 4*(wp-ow) <= ow || fg == 16 && ow%8 != 0 && 2*(wp-ow) <= ow
}

// forwardWide computes the output of units [lo, hi) (see forwardImplicit),
// a part being a range of output rows.
func (l *Conv2D) forwardWide(x, out []float32, wk *convWork, lo, hi, parts int) {
	g := l.geom
	hp, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), oh*ow
	plane := g.C * g.H * g.W
	// The padded image, then a plane of ones for the bias or the slack the
	// last row's reads run into ((KW-1)·DW, less than a plane).
	size := (g.C + 1) * hp * wp
	if len(wk.xpWide) != size {
		wk.xpWide = make([]float32, size)
		if l.B != nil {
			setAll(wk.xpWide[g.C*hp*wp:], 1)
		}
	}
	w, ldw, off := l.W.Value.Data, kk, l.off
	if l.B != nil {
		w, ldw, off = l.wBias, kk+1, l.offBias
	}
	for u := lo; u < hi; u++ {
		s := u / parts
		y0, y1 := partRange(oh, parts, u%parts)
		nq := (y1 - y0) * wp
		wk.wide = grow(wk.wide, fg*nq)
		for gi := 0; gi < l.Groups; gi++ {
			kernel.PadImage(g, x[(s*l.Groups+gi)*plane:][:plane], wk.xpWide)
			kernel.ConvGemmWide(fg, w[gi*fg*ldw:], ldw, wk.xpWide, off, y0*wp, nq, 0, wk.wide, nq)
			o := out[(s*l.Filters+gi*fg)*npix:]
			kernel.CopyPlanes(o[y0*ow:], ow, npix, wk.wide, wp, nq, fg, y1-y0, ow)
		}
	}
}

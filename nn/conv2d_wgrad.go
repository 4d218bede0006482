package nn

import "github.com/convnet/convnet/internal/kernel"

// The direct weight gradient (kernel.ConvWgradAccumulate): each weight's
// gradient is a dot product of a row of the output gradient, laid out Wp
// wide, with the padded image read at that weight's tap offset,
//
//	dW[f][c,ki,kj] = Σ_q dOut'[f][q] · xp[c·Hp·Wp + ki·DH·Wp + kj·DW + q],
//
// q over OH·Wp pixels (rounded up to 16), dOut' zero in the Wp-OW columns
// past each row. Nothing is packed: the image is copied once into a padded
// buffer, after a plane of ones whose tap gives the bias gradient, and the
// output gradient once into its wider rows. When OW is a multiple of 16, q
// runs over the OH rows of OW pixels instead (wgradRows), and the output
// gradient is read where it is, unless the input gradient's padded copy of
// it is at hand (backwardSharedPad). The column path (wgradColumns)
// gathers a column matrix of C·KH·KW rows per chunk of pixels and packs the
// transposed output gradient for Sgemm, whose output, F filters wide, is a
// thin strip of 8×32 tiles when F is small.

// wgradWork is one worker's scratch for the direct weight gradient.
type wgradWork struct {
	a   []float32 // output gradient rows, (rows, ex·n): example e's row f at f·lda + e·n, zero past OW in each row
	xp  []float32 // ex padded images, each with a plane of ones and slack after it (see wgradGeom)
	acc []float32 // the kernel's vector sums, zero between gradients
}

// directWgrad reports whether the weight gradient takes the direct path:
// one group, whole examples (parts == 1) and a CPU on which the kernel is
// vectorised, and the shape one where it measured faster (wgradDirectWins).
func (l *Conv2D) directWgrad(parts int) bool {
	return parts == 1 && l.Groups == 1 && kernel.ConvWgradFast() && wgradDirectWins(l)
}

// wgradDirectWins is the shape rule, a variable so tests can take both
// paths on any shape: few filters, few taps (the column matrix's rows), or
// 16 filters on rows not a multiple of 8 wide, where the column path's
// gathers merge several runs of pixels and its products end in narrow
// panels. BenchmarkConv2D wgrad, 1 thread, 3 runs each, direct against
// columns (cpu-GFLOP/s): LeNet's first layer (6 filters, 25 taps) 107-115
// against 23; CIFAR's first (32 filters, 27 taps) 118-119 against 100-101;
// LeNet's second (16, 150) on 12×12 images 94-96 against 111-112, but on
// the 14×14 of the LeNet-5 that `convnet train` builds (OW 10), batch 32,
// 94-98 against 75-78; 32×32×32 → 32 (288 taps) 137-144 against 140-142;
// 64 filters of 576 taps 127-131 against 155-165. Since the direct path
// sums over the output's rows (wgradRows), CIFAR's first layer gives
// 144-152 on it.
var wgradDirectWins = func(l *Conv2D) bool {
	return l.Filters < 16 || l.geom.ColRows() < 32 || l.Filters == 16 && l.geom.OutW()%8 != 0
}

// wgradGeom returns n, the pixels each row of the output gradient spans
// (OH·Wp rounded up to 16); ex, the examples per call of the kernel, as
// many as keep six rows of the output gradient within 24 KiB so they stay
// in L1 while every tap reads them; and bstr, the stride of the examples'
// copies in wgradWork.xp: C padded planes, a plane of ones (the bias's
// tap), and 16 values of slack for the reads past it.
func (l *Conv2D) wgradGeom() (n, ex, bstr int) {
	g := l.geom
	hp, wp := g.Padded()
	n = ceilTo(g.OutH()*wp, 16)
	ex = max(1, 1024/n)
	return n, ex, (g.C+1)*hp*wp + 16
}

// wgradDirect accumulates the parameter gradients of examples [lo, hi) into
// wk.dW and wk.dB. With whole rows of 16-pixel vectors (wgradRows), and no
// rows read past the F filters (ConvWgradRowsAlloc), the kernel reads the
// output gradient where it is; otherwise it is copied into rows Wp wide,
// zero past OW.
func (l *Conv2D) wgradDirect(x, dOut []float32, wk *convWork, lo, hi int) {
	g := l.geom
	_, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	f, npix := l.Filters, oh*ow
	n, ex, _ := l.wgradGeom()
	l.wgradDirectInit(wk)
	if l.wgradRows() && kernel.ConvWgradRowsAlloc(f) == f {
		px := l.wgradPixels(ow)
		for s0 := lo; s0 < hi; s0 += ex {
			l.wgradDirectAdd(x, dOut[s0*f*npix:], npix, f*npix, px, wk, s0, min(ex, hi-s0))
		}
		l.wgradDirectReduce(wk)
		return
	}
	lda := ex * n
	w := &wk.wgrad
	if size := kernel.ConvWgradRowsAlloc(f) * lda; len(w.a) != size {
		w.a = make([]float32, size)
	}
	px := l.wgradPixels(wp)
	for s0 := lo; s0 < hi; s0 += ex {
		cnt := min(ex, hi-s0)
		for e := 0; e < cnt; e++ {
			kernel.CopyPlanes(w.a[e*n:], wp, lda, dOut[(s0+e)*f*npix:], ow, npix, f, oh, ow)
		}
		l.wgradDirectAdd(x, w.a, lda, n, px, wk, s0, cnt)
	}
	l.wgradDirectReduce(wk)
}

// wgradRows reports whether the direct weight gradient sums over the
// output's rows, OW a multiple of 16, skipping the Wp-OW columns past each
// that a run of OH·Wp pixels would multiply by zeros: on CIFAR's first
// layer (OW 32 of Wp 34) a sixteenth of its products.
func (l *Conv2D) wgradRows() bool { return l.geom.OutW()%16 == 0 }

// wgradPixels returns the pixels of the direct weight gradient, the output
// gradient's rows aStride apart: OH rows of OW (wgradRows), or one run of
// n pixels (wgradGeom), the rows then Wp wide in both.
func (l *Conv2D) wgradPixels(aStride int) kernel.ConvWgradPixels {
	g := l.geom
	_, wp := g.Padded()
	if l.wgradRows() {
		return kernel.ConvWgradPixels{Width: g.OutW(), Height: g.OutH(), AStride: aStride, BStride: wp}
	}
	n, _, _ := l.wgradGeom()
	return kernel.ConvWgradRun(n)
}

// wgradDirectInit sizes wk's padded images and sums for the direct weight
// gradient; the sums are zero between gradients.
func (l *Conv2D) wgradDirectInit(wk *convWork) {
	g := l.geom
	hp, wp := g.Padded()
	_, ex, bstr := l.wgradGeom()
	w := &wk.wgrad
	if len(w.xp) != ex*bstr {
		w.xp = make([]float32, ex*bstr)
		for e := 0; e < ex; e++ {
			setAll(w.xp[e*bstr+g.C*hp*wp:][:hp*wp], 1)
		}
	}
	if size := kernel.ConvWgradAccLen(l.Filters, l.wgradTaps()); len(w.acc) != size {
		w.acc = make([]float32, size)
	}
}

// wgradTaps is the number of taps of the direct weight gradient: the column
// matrix's rows, and one more for the bias.
func (l *Conv2D) wgradTaps() int {
	if l.B != nil {
		return l.geom.ColRows() + 1
	}
	return l.geom.ColRows()
}

// wgradDirectAdd adds to the kernel's sums the gradients of examples [s0,
// s0+cnt), cnt at most ex (wgradGeom), whose output gradients are in a:
// example e's row f at f·lda + e·astr, its pixels px (wgradPixels), and
// ConvWgradRowsAlloc(F) rows readable.
func (l *Conv2D) wgradDirectAdd(x, a []float32, lda, astr int, px kernel.ConvWgradPixels, wk *convWork, s0, cnt int) {
	g := l.geom
	_, _, bstr := l.wgradGeom()
	plane := g.C * g.H * g.W
	w := &wk.wgrad
	for e := 0; e < cnt; e++ {
		kernel.PadImage(g, x[(s0+e)*plane:][:plane], w.xp[e*bstr:])
	}
	if l.B == nil {
		kernel.ConvWgradAccumulate(l.Filters, a, lda, astr, w.xp, bstr, l.off, px, cnt, w.acc)
		return
	}
	// The bias's tap is the plane of ones after each padded image.
	kernel.ConvWgradAccumulateOnes(l.Filters, a, lda, astr, w.xp, bstr, l.offBias, px, cnt, w.acc)
}

// wgradDirectReduce writes the kernel's sums into wk.dW and wk.dB and
// zeroes them.
func (l *Conv2D) wgradDirectReduce(wk *convWork) {
	f, kk, taps := l.Filters, l.geom.ColRows(), l.wgradTaps()
	w := &wk.wgrad
	wk.dW = grow(wk.dW, len(l.W.Grad.Data))
	if l.B == nil {
		clear(wk.dW)
		kernel.ConvWgradReduce(f, taps, w.acc, wk.dW, kk)
		return
	}
	// dW and dB as the columns of f × (kk+1).
	wk.dWT = grow(wk.dWT, f*taps)
	clear(wk.dWT)
	kernel.ConvWgradReduce(f, taps, w.acc, wk.dWT, taps)
	wk.dB = grow(wk.dB, f)
	for fi := 0; fi < f; fi++ {
		copy(wk.dW[fi*kk:(fi+1)*kk], wk.dWT[fi*taps:])
		wk.dB[fi] = wk.dWT[fi*taps+kk]
	}
}

// sharedGradPad reports whether backwardImplicit pads each example's output
// gradient once for both gradients: the input gradient's padded copy
// (gradGeom), read from (PadT'·Wp' + PadL'), is the direct weight
// gradient's Wp-wide layout when the two padded widths agree (padding
// D·(KW-1) in all across, as "same" padding has), and reading n values from
// there stays within the plane. Then the rows past OW, and past OH, land on
// the zero border. It needs one example per call of the direct kernel.
func (l *Conv2D) sharedGradPad() bool {
	_, wp := l.geom.Padded()
	gg := l.gradGeom()
	hpg, wpg := gg.Padded()
	n, ex, _ := l.wgradGeom()
	return ex == 1 && l.implicitInputGrad() && wpg == wp && gg.PadT*wpg+gg.PadL+n <= hpg*wpg
}

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
// output gradient once into its wider rows. The column path (wgradColumns)
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
// paths on any shape: few filters, or few taps (the column matrix's rows).
// BenchmarkConv2D wgrad, 1 thread, 3 runs each, direct against columns
// (cpu-GFLOP/s): LeNet's first layer (6 filters, 25 taps) 107-115 against
// 23; CIFAR's first (32 filters, 27 taps) 118-119 against 100-101; LeNet's
// second (16, 150) 94-96 against 111-112; 32×32×32 → 32 (288 taps)
// 137-144 against 140-142; 64 filters of 576 taps 127-131 against 155-165.
var wgradDirectWins = func(l *Conv2D) bool {
	return l.Filters < 16 || l.geom.ColRows() < 32
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
// wk.dW and wk.dB.
func (l *Conv2D) wgradDirect(x, dOut []float32, wk *convWork, lo, hi int) {
	g := l.geom
	hp, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	f, kk, npix := l.Filters, g.ColRows(), oh*ow
	plane := g.C * g.H * g.W
	n, ex, bstr := l.wgradGeom()
	lda := ex * n
	w := &wk.wgrad
	if len(w.a) != kernel.ConvWgradRowsAlloc(f)*lda {
		w.a = make([]float32, kernel.ConvWgradRowsAlloc(f)*lda)
	}
	if len(w.xp) != ex*bstr {
		w.xp = make([]float32, ex*bstr)
		for e := 0; e < ex; e++ {
			setAll(w.xp[e*bstr+g.C*hp*wp:][:hp*wp], 1)
		}
	}
	off, taps := l.off, kk
	if l.B != nil {
		off, taps = l.offBias, kk+1
	}
	if len(w.acc) != kernel.ConvWgradAccLen(f, taps) {
		w.acc = make([]float32, kernel.ConvWgradAccLen(f, taps))
	}
	for s0 := lo; s0 < hi; s0 += ex {
		cnt := min(ex, hi-s0)
		for e := 0; e < cnt; e++ {
			for fi := 0; fi < f; fi++ {
				kernel.CopyRows(w.a[fi*lda+e*n:], wp, dOut[((s0+e)*f+fi)*npix:], ow, oh, ow)
			}
			kernel.PadImage(g, x[(s0+e)*plane:][:plane], w.xp[e*bstr:])
		}
		kernel.ConvWgradAccumulate(f, w.a, lda, n, w.xp, bstr, off, n, cnt, w.acc)
	}
	// dW (f × kk) and, with a bias, dB as the last column of f × (kk+1).
	wk.dW = grow(wk.dW, len(l.W.Grad.Data))
	if l.B == nil {
		clear(wk.dW)
		kernel.ConvWgradReduce(f, taps, w.acc, wk.dW, kk)
		return
	}
	wk.dWT = grow(wk.dWT, f*taps)
	clear(wk.dWT)
	kernel.ConvWgradReduce(f, taps, w.acc, wk.dWT, taps)
	wk.dB = grow(wk.dB, f)
	for fi := 0; fi < f; fi++ {
		copy(wk.dW[fi*kk:(fi+1)*kk], wk.dWT[fi*taps:])
		wk.dB[fi] = wk.dWT[fi*taps+kk]
	}
}

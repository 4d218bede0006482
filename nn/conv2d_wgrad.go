package nn

import "github.com/convnet/convnet/internal/kernel"

// The direct weight gradient (kernel.ConvWgradAccumulate): each weight's
// gradient is a dot product of a row of the output gradient, laid out Wp
// wide, with the padded image read at that weight's tap offset,
//
//	dW[f][c,ki,kj] = Σ_q dOut'[f][q] · xp[c·Hp·Wp + ki·DH·Wp + kj·DW + q],
//
// q over OH·Wp pixels (rounded up to 16), dOut' zero in the Wp-OW columns
// past each row. Nothing is packed: the image is read where it is (or from a
// padded copy) and the output gradient is copied once into its wider rows.
// The column path (wgradColumns) writes a column matrix of C·KH·KW rows per
// pixel chunk and packs it again for Sgemm, whose output, F filters wide, is
// a thin strip when F is small.

// wgradWork is one worker's scratch for the direct weight gradient.
type wgradWork struct {
	a   []float32 // output gradient rows, (rows, ex·n): example e's row f at f·lda + e·n, zero past OW in each row
	xp  []float32 // padded images, ex of them, and the slack the last one's reads run into; zero outside the interiors
	acc []float32 // the kernel's vector sums, zero between gradients
}

// directWgrad reports whether the weight gradient takes the direct path:
// one group, whole examples (parts == 1) and a CPU on which the kernel is
// vectorised, and the shape one where it measured faster (wgradDirectWins).
func (l *Conv2D) directWgrad(parts int) bool {
	return parts == 1 && l.Groups == 1 && kernel.ConvWgradFast() && wgradDirectWins(l)
}

// wgradDirectWins is the shape rule, a variable so tests can take both
// paths on any shape.
var wgradDirectWins = func(l *Conv2D) bool {
	return l.Filters < 16
}

// wgradGeom returns n, the pixels each row of the output gradient spans
// (OH·Wp rounded up to 16); ex, the examples per call of the kernel, as
// many as keep six rows of the output gradient within 24 KiB so they stay
// in L1 while every tap reads them; and slack, how far the reads run past
// an example's padded planes.
func (l *Conv2D) wgradGeom() (n, ex, slack int) {
	g := l.geom
	_, wp := g.Padded()
	n = ceilTo(g.OutH()*wp, 16)
	ex = max(1, 1024/n)
	slack = n - g.OutH()*wp + g.DW*(g.KW-1)
	return n, ex, slack
}

// wgradDirect accumulates the parameter gradients of examples [lo, hi) into
// wk.dW and wk.dB.
func (l *Conv2D) wgradDirect(x, dOut []float32, wk *convWork, lo, hi int) {
	g := l.geom
	hp, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	f, kk, npix := l.Filters, g.ColRows(), oh*ow
	plane, pplane := g.C*g.H*g.W, g.C*hp*wp
	n, ex, slack := l.wgradGeom()
	lda := ex * n
	w := &wk.wgrad
	if len(w.a) != kernel.ConvWgradRowsAlloc(f)*lda {
		w.a = make([]float32, kernel.ConvWgradRowsAlloc(f)*lda)
	}
	if len(w.acc) != kernel.ConvWgradAccLen(f, kk) {
		w.acc = make([]float32, kernel.ConvWgradAccLen(f, kk))
	}
	wk.dW = grow(wk.dW, len(l.W.Grad.Data))
	clear(wk.dW)
	if l.B != nil {
		wk.dB = grow(wk.dB, f)
		clear(wk.dB)
	}
	for s0 := lo; s0 < hi; s0 += ex {
		cnt := min(ex, hi-s0)
		for e := 0; e < cnt; e++ {
			for fi := 0; fi < f; fi++ {
				d := dOut[((s0+e)*f+fi)*npix:][:npix]
				row := w.a[fi*lda+e*n:]
				for oy := 0; oy < oh; oy++ {
					copy(row[oy*wp:][:ow], d[oy*ow:][:ow])
				}
				if l.B != nil {
					wk.dB[fi] += rowSum(d)
				}
			}
		}
		// The images themselves serve when they need no padding and the
		// batch runs on past the reads of the last one.
		b := x[s0*plane:]
		if pplane != plane || len(b) < (cnt-1)*plane+int(l.off[kk-1])+n {
			if len(w.xp) != ex*pplane+slack {
				w.xp = make([]float32, ex*pplane+slack)
			}
			for e := 0; e < cnt; e++ {
				kernel.PadImage(g, x[(s0+e)*plane:][:plane], w.xp[e*pplane:])
			}
			b = w.xp
		}
		kernel.ConvWgradAccumulate(f, w.a, lda, n, b, pplane, l.off, n, cnt, w.acc)
	}
	kernel.ConvWgradReduce(f, kk, w.acc, wk.dW, kk)
}

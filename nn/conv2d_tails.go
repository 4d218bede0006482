package nn

import "github.com/convnet/convnet/internal/kernel"

// Shared tail panels. The micro-kernel computes 32 pixels of the output a
// panel, or 16 in its narrow form; an image of 14×14 = 196 pixels leaves 4
// past its 6 full panels, and those 4 took a narrow panel of their own,
// three quarters zeros: on 8×256×14×14 the narrow kernel took 7.6% of the
// forward and backward pass for 2% of its products. On the implicit path,
// when an image's pixel count leaves at most 8 over a multiple of 32, the
// examples of a chunk are padded side by side and the products of their
// last few pixels are one product over the chunk (kernel.ConvGemmImages),
// whose output is then copied to each example's place.

// tailPixels returns the pixels past the last full panel of an image of
// npix pixels, and how many images share one panel for them; 0, 0 when
// sharing is not worth it: no full panel, no tail, or a tail above 8,
// which fills half the narrow panel or more.
func tailPixels(npix int) (tail, images int) {
	tail = npix % 32
	if npix < 32 || tail == 0 || tail > 8 {
		return 0, 0
	}
	return tail, 32 / tail
}

// tailImages is a chunk of images padded side by side for shared tail
// panels, and the product of their tails.
type tailImages struct {
	paddedSlots
	out []float32 // the shared product, (rows, images·tail)
}

// gemm computes the m rows of output of every pixel of cnt images of x
// (each g.C planes H×W, estr values apart), padded into the slots (or read
// in place, see paddedSlots.layout), with the shared tail panels. Each
// image is padded and its full panels computed in turn
// (kernel.ConvGemmCols), while its padded copy is in L2; then the tails
// of all are one product (kernel.ConvGemmImages), copied into each
// image's place: image e's output is c[e·cstr:], m rows ldc apart.
func (t *tailImages) gemm(g kernel.ConvGeom, x []float32, estr, cnt, images int, ones bool,
	m int, w []float32, ldw int, off []int32, c []float32, cstr, ldc int) {
	xp, xstr, pad := t.layout(g, x, estr, images, ones)
	npix := g.OutH() * g.OutW()
	tail, _ := tailPixels(npix)
	full := npix - tail
	plane := g.C * g.H * g.W
	for e := 0; e < cnt; e++ {
		if pad {
			kernel.PadImage(g, x[e*estr:][:plane], xp[e*xstr:])
		}
		kernel.ConvGemmCols(g, m, w, ldw, xp[e*xstr:], off, 0, full, 0, c[e*cstr:], ldc)
	}
	t.out = grow(t.out, m*cnt*tail)
	kernel.ConvGemmImages(g, m, w, ldw, xp, xstr, cnt, off, full, tail, t.out, cnt*tail)
	for i := 0; i < m; i++ {
		row := t.out[i*cnt*tail:]
		for e := 0; e < cnt; e++ {
			copy(c[e*cstr+i*ldc+full:][:tail], row[e*tail:(e+1)*tail])
		}
	}
}

// forwardTails is forwardImplicit's gather path (not wide) with shared
// tail panels, for whole examples [lo, hi).
func (l *Conv2D) forwardTails(x, out []float32, wk *convWork, lo, hi int) {
	g := l.geom
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), g.OutH()*g.OutW()
	_, images := tailPixels(npix)
	images = min(images, hi-lo) // the chunk fits this worker's share
	plane := g.C * g.H * g.W
	w, ldw, off := l.W.Value.Data, kk, l.off
	if l.B != nil {
		w, ldw, off = l.wBias, kk+1, l.offBias
	}
	for gi := 0; gi < l.Groups; gi++ {
		for s0 := lo; s0 < hi; s0 += images {
			cnt := min(images, hi-s0)
			wk.tails.gemm(g, x[(s0*l.Groups+gi)*plane:], l.Groups*plane, cnt, images, l.B != nil,
				fg, w[gi*fg*ldw:(gi+1)*fg*ldw], ldw, off, out[(s0*l.Filters+gi*fg)*npix:], l.Filters*npix, npix)
		}
	}
}

// inputGradTails is inputGradImplicit with shared tail panels, for whole
// examples [lo, hi).
func (l *Conv2D) inputGradTails(dOut, dx []float32, wk *convWork, lo, hi int) {
	g, gg := l.geom, l.gradGeom()
	fg, npix, kg := l.Filters/l.Groups, g.OutH()*g.OutW(), gg.ColRows()
	_, images := tailPixels(g.H * g.W)
	images = min(images, hi-lo)
	plane := g.C * g.H * g.W
	for gi := 0; gi < l.Groups; gi++ {
		for s0 := lo; s0 < hi; s0 += images {
			cnt := min(images, hi-s0)
			// dx_g (C/G × H·W) = W'_g (C/G × F/G·KH·KW) · col'
			wk.gradTails.gemm(gg, dOut[(s0*l.Filters+gi*fg)*npix:], l.Filters*npix, cnt, images, false,
				g.C, l.wFlip[gi*g.C*kg:(gi+1)*g.C*kg], kg, l.offGrad, dx[(s0*l.Groups+gi)*plane:], l.Groups*plane, g.H*g.W)
		}
	}
}

// tailsEnabled is false only in tests, to run the products image by image.
var tailsEnabled = true

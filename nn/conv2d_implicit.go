package nn

import "github.com/convnet/convnet/internal/kernel"

// The implicit-GEMM path of Conv2D, for stride 1. All three products read
// the column matrix from a zero-padded image instead of writing it out
// (kernel.ConvGemm), and compute only real output pixels, where the
// shifted path computes Wp/OW more columns than it keeps:
//
//	forward:  out_g (F/G × OH·OW) = W_g (F/G × C/G·KH·KW) · col(pad(x_g))
//	input:    dx_g (C/G × H·W)    = W'_g (C/G × F/G·KH·KW) · col'(pad'(dOut_g))
//	weights:  dW_gᵀ (C/G·KH·KW × F/G) += col(pad(x_g)) · dOut_gᵀ
//
// The input gradient is a stride-1 convolution of the output gradient,
// padded by D·(K-1)-Pad on each side, with the filters flipped in both
// spatial axes and their two channel axes swapped (W'[c,f,i,j] =
// W[f,c,KH-1-i,KW-1-j]): no column matrix of the gradient and no col2im.
// The weight gradient needs the column matrix itself as the GEMM's A, read
// in place by the micro-kernel; it is written a chunk of pixels at a time
// (kernel.ConvIm2col), small enough to stay in L2, beside a copy of the
// same pixels of dOut.

// implicit reports whether the layer takes the implicit-GEMM path: stride 1,
// not a plain 1×1 convolution, a CPU on which the kernels pack the column
// matrix with vector loads, padding no wider than the dilated kernel
// (so the input gradient's padding, D·(K-1)-Pad, is not negative), and
// enough input and output channels per group that the products' rows fill
// the micro-kernel's 8-row tiles.
//
// TODO(measure): the channel threshold.
func (l *Conv2D) implicit() bool {
	g := l.geom
	if l.SH != 1 || l.SW != 1 || l.direct() || !kernel.ConvGemmFast() {
		return false
	}
	rh, rw := g.DH*(g.KH-1), g.DW*(g.KW-1)
	if g.PadT > rh || g.PadB > rh || g.PadL > rw || g.PadR > rw {
		return false
	}
	return g.C >= 8 && l.Filters/l.Groups >= 8
}

// gradGeom is the geometry of the input gradient as a convolution of the
// output gradient (see the top of this file).
func (l *Conv2D) gradGeom() kernel.ConvGeom {
	g := l.geom
	rh, rw := g.DH*(g.KH-1), g.DW*(g.KW-1)
	return kernel.ConvGeom{C: l.Filters / l.Groups, H: g.OutH(), W: g.OutW(), KH: g.KH, KW: g.KW, SH: 1, SW: 1,
		PadT: rh - g.PadT, PadL: rw - g.PadL, PadB: rh - g.PadB, PadR: rw - g.PadR, DH: g.DH, DW: g.DW}
}

// implicitOffsets makes the row offsets of both column matrices once per
// geometry; Forward and Backward call it before their workers start.
func (l *Conv2D) implicitOffsets() {
	if len(l.off) != l.geom.ColRows() {
		l.off = kernel.ConvOffsets(l.geom)
		l.offGrad = kernel.ConvOffsets(l.gradGeom())
	}
}

// padded returns the image x (g.C, g.H, g.W) zero-padded for g in buf,
// which keeps its zero border between calls, or x itself when g has no
// padding.
func padded(g kernel.ConvGeom, x []float32, buf *[]float32) []float32 {
	hp, wp := g.Padded()
	if hp*wp == g.H*g.W {
		return x
	}
	if len(*buf) != g.C*hp*wp {
		*buf = make([]float32, g.C*hp*wp)
	}
	kernel.PadImage(g, x, *buf)
	return *buf
}

// forwardImplicit computes the output of examples [lo, hi): per example and
// group, the bias is written into the output and the product added to it.
func (l *Conv2D) forwardImplicit(x, out []float32, wk *convWork, lo, hi int) {
	g := l.geom
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), g.OutH()*g.OutW()
	plane := g.C * g.H * g.W
	for s := lo; s < hi; s++ {
		for gi := 0; gi < l.Groups; gi++ {
			xp := padded(g, x[(s*l.Groups+gi)*plane:][:plane], &wk.xp)
			o := out[(s*l.Filters+gi*fg)*npix:][:fg*npix]
			w := l.W.Value.Data[gi*fg*kk : (gi+1)*fg*kk]
			var beta float32
			if l.B != nil {
				for f := 0; f < fg; f++ {
					setAll(o[f*npix:(f+1)*npix], l.B.Value.Data[gi*fg+f])
				}
				beta = 1
			}
			kernel.ConvGemm(g, fg, w, kk, xp, l.off, beta, o, npix)
		}
	}
}

// gradChunk is how many pixels of the weight gradient's column matrix are
// written at a time: whole examples when an image is small, else whole
// output rows, about implicitChunk values in all so the chunk stays in L2.
func (l *Conv2D) gradChunk() (examples, rows int) {
	g := l.geom
	oh, ow := g.OutH(), g.OutW()
	pix := max(ow, implicitChunk/g.ColRows())
	if oh*ow <= pix {
		return max(1, pix/(oh*ow)), oh
	}
	return 1, max(1, pix/ow)
}

// implicitChunk is the size, in values, of the column matrix chunk of the
// weight gradient: 128 Ki values, 512 KiB, half of L2.
//
// TODO(measure)
const implicitChunk = 128 << 10

// backwardImplicit accumulates the parameter gradients of examples
// [lo, hi) into wk and writes their input gradients into dx unless it is
// nil.
func (l *Conv2D) backwardImplicit(x, dOut, dx []float32, wk *convWork, lo, hi int) {
	g := l.geom
	oh, ow := g.OutH(), g.OutW()
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), oh*ow
	plane := g.C * g.H * g.W
	exs, rows := l.gradChunk()
	pc := exs * rows * ow // pixels per chunk
	ld := ceilTo(pc, 16)
	if ld%256 == 0 {
		ld += 16 // rows of A 1 KiB·2ⁿ apart share cache sets
	}
	wk.col = grow(wk.col, kk*ld)
	wk.out = grow(wk.out, fg*ld)
	wk.dWT = grow(wk.dWT, l.Groups*kk*fg)
	clear(wk.dWT)
	wk.dB = grow(wk.dB, l.Filters)
	clear(wk.dB)

	for gi := 0; gi < l.Groups; gi++ {
		dWT := wk.dWT[gi*kk*fg : (gi+1)*kk*fg]
		for s0 := lo; s0 < hi; s0 += exs {
			cnt := min(exs, hi-s0)
			for y0 := 0; y0 < oh; y0 += rows {
				n := min(rows, oh-y0) * ow // pixels of each example in this chunk
				for e := 0; e < cnt; e++ {
					s := s0 + e
					xp := padded(g, x[(s*l.Groups+gi)*plane:][:plane], &wk.xp)
					kernel.ConvIm2col(g, xp, l.off, y0*ow, n, wk.col[e*n:], ld)
					d := dOut[(s*l.Filters+gi*fg)*npix:][:fg*npix]
					for f := 0; f < fg; f++ {
						copy(wk.out[f*ld+e*n:][:n], d[f*npix+y0*ow:][:n])
					}
				}
				// dW_gᵀ (kk × fg) += col (kk × cnt·n) · dOutᵀ (cnt·n × fg)
				kernel.Sgemm(false, true, kk, fg, cnt*n, 1, wk.col, ld, wk.out, ld, 1, dWT, fg)
			}
		}
	}
	// Back to the (F, C/G·KH·KW) layout of W.
	wk.dW = grow(wk.dW, len(l.W.Grad.Data))
	for gi := 0; gi < l.Groups; gi++ {
		dWT := wk.dWT[gi*kk*fg : (gi+1)*kk*fg]
		dW := wk.dW[gi*fg*kk : (gi+1)*fg*kk]
		for r := 0; r < kk; r++ {
			for f := 0; f < fg; f++ {
				dW[f*kk+r] = dWT[r*fg+f]
			}
		}
	}
	if l.B != nil {
		for s := lo; s < hi; s++ {
			for f := 0; f < l.Filters; f++ {
				wk.dB[f] += rowSum(dOut[(s*l.Filters+f)*npix:][:npix])
			}
		}
	}
	if dx == nil {
		return
	}
	gg := l.gradGeom()
	kg := gg.ColRows()
	for s := lo; s < hi; s++ {
		for gi := 0; gi < l.Groups; gi++ {
			dp := padded(gg, dOut[(s*l.Filters+gi*fg)*npix:][:fg*npix], &wk.dxp)
			// dx_g (C/G × H·W) = W'_g (C/G × F/G·KH·KW) · col'
			kernel.ConvGemm(gg, g.C, l.wFlip[gi*g.C*kg:(gi+1)*g.C*kg], kg, dp, l.offGrad, 0,
				dx[(s*l.Groups+gi)*plane:][:plane], g.H*g.W)
		}
	}
}

// flipWeights writes W' (see the top of this file) into l.wFlip: for each
// group, W'_g[c, f, i, j] = W_g[f, c, KH-1-i, KW-1-j].
func (l *Conv2D) flipWeights() {
	g := l.geom
	fg, khw := l.Filters/l.Groups, g.KH*g.KW
	w := l.W.Value.Data
	l.wFlip = grow(l.wFlip, len(w))
	for gi := 0; gi < l.Groups; gi++ {
		src := w[gi*fg*g.C*khw : (gi+1)*fg*g.C*khw]
		dst := l.wFlip[gi*fg*g.C*khw : (gi+1)*fg*g.C*khw]
		for f := 0; f < fg; f++ {
			for c := 0; c < g.C; c++ {
				s := src[(f*g.C+c)*khw : (f*g.C+c+1)*khw]
				d := dst[(c*fg+f)*khw : (c*fg+f+1)*khw]
				for i := range khw {
					d[i] = s[khw-1-i]
				}
			}
		}
	}
}

func setAll(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

func ceilTo(n, m int) int { return (n + m - 1) / m * m }

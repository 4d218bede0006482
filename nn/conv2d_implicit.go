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
// The weight gradient needs the column matrix itself as the GEMM's A. With
// a multiple of 8 input channels per group the micro-kernel reads it from
// the padded image (conv2d_wgrad_image.go); otherwise it is written a chunk
// of pixels at a time (kernel.ConvIm2col), small enough to stay in L2,
// beside a copy of the same pixels of dOut, and read in place by Sgemm.

// implicitForward reports whether the forward pass (and with it the weight
// gradient) takes the implicit-GEMM path: stride 1, not a plain 1×1
// convolution, and a CPU on which the kernels pack the column matrix with
// vector loads. Filter counts below the micro-kernel's 8 rows are no
// reason to stay off it: on LeNet's first layer (64×1×28×28, 6 filters
// 5×5) its forward pass ran 29% faster than the shifted path in CPU time
// (BenchmarkConv2D, 6 alternating rounds, p=0.002) and forward+backward
// the same (p=0.13).
func (l *Conv2D) implicitForward() bool {
	return l.SH == 1 && l.SW == 1 && !l.direct() && kernel.ConvGemmFast() && implicitEnabled
}

// implicitEnabled is false only in tests, to run the shifted path that CPUs
// without AVX-512 take.
var implicitEnabled = true

// implicitInputGrad reports whether the input gradient takes the
// implicit-GEMM path too (the weight gradient does whenever the forward
// pass does): padding no wider than the dilated kernel, so the input
// gradient's padding, D·(K-1)-Pad, is not negative, and at least 8 input
// channels per group, the rows of its product. Otherwise the input gradient
// goes through dcol = Wᵀ·dOut and col2im, at the output's width where that
// saves a quarter of the product (conv2d_dxcols.go), else on the shifted
// path: on CIFAR's first layer (3 channels) the product would fill 3 of
// every tile's 8 rows. Measured with the threshold at 1 channel instead (BenchmarkConv2D
// fwd+bwd, CPU time, 6 alternating rounds): LeNet's second layer (6
// channels, padding 4 for the gradient) 49% slower, CIFAR's first layer
// 9% slower (p=0.07). Up to 4 channels, on images a multiple of 16 wide,
// the product has kernels of 3 and 4 rows (kernel.ConvGemmThin): CIFAR's
// first layer fwd+bwd, 1 thread, 3 alternating runs: 104-110 cpu-GFLOP/s
// with the input gradient through the shifted path, 117-128 on the 4-row
// kernel, 122-124 against 117-118 on the 3-row one.
func (l *Conv2D) implicitInputGrad() bool {
	g := l.geom
	rh, rw := g.DH*(g.KH-1), g.DW*(g.KW-1)
	if g.PadT > rh || g.PadB > rh || g.PadL > rw || g.PadR > rw {
		return false
	}
	return l.implicitForward() && (g.C >= 8 || g.C <= 4 && g.W%16 == 0 && kernel.ConvGemmThin())
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
	if l.offGeom == l.geom && l.off != nil {
		return
	}
	hp, wp := l.geom.Padded()
	l.off = kernel.ConvOffsets(l.geom)
	l.offBias = append(append([]int32(nil), l.off...), int32(l.geom.C*hp*wp))
	l.offGrad = nil
	if l.implicitInputGrad() {
		l.offGrad = kernel.ConvOffsets(l.gradGeom())
	}
	l.offGeom = l.geom
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

// forwardImplicit computes the output of examples [lo, hi), per example
// and group; on the per-unit loop, [lo, hi) is this worker's share of
// l.steal, and it goes on to units left in the others'. With a bias, the padded image gets a plane of ones after it
// and the product a last row of col pointing there (l.offBias), against a
// last column of bias in the weights (l.wBias): the product writes the
// biased output in one pass. Writing the bias into the output first and
// accumulating onto it took 8% of the forward and backward passes of
// CIFAR's first layer (32×3×32×32, 32 filters), where the product has
// only 27 rows to sum. The kernel adds the bias column rather than
// multiplying it by the ones (kernel.ConvGemmColsOnes).
func (l *Conv2D) forwardImplicit(x, out []float32, wk *convWork, lo, hi, parts int) {
	if l.winogradForward() {
		l.forwardWinograd(x, out, wk, parts)
		return
	}
	if l.wideForward() {
		l.forwardWide(x, out, wk, lo, hi, parts)
		return
	}
	if l.forwardTailsOn(parts) {
		l.forwardTails(x, out, wk, &l.steal)
		return
	}
	g := l.geom
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), g.OutH()*g.OutW()
	plane := g.C * g.H * g.W
	for u, ok := l.steal.next(wk.id); ok; u, ok = l.steal.next(wk.id) {
		s := u / parts
		j0, j1 := partRange(npix, parts, u%parts)
		for gi := 0; gi < l.Groups; gi++ {
			xs := x[(s*l.Groups+gi)*plane:][:plane]
			o := out[(s*l.Filters+gi*fg)*npix+j0:]
			if l.B == nil {
				xp := padded(g, xs, &wk.xp)
				kernel.ConvGemmCols(g, fg, l.W.Value.Data[gi*fg*kk:(gi+1)*fg*kk], kk, xp, l.off, j0, j1-j0, 0, o, npix)
				continue
			}
			hp, wp := g.Padded()
			if len(wk.xpOnes) != (g.C+1)*hp*wp {
				wk.xpOnes = make([]float32, (g.C+1)*hp*wp)
				setAll(wk.xpOnes[g.C*hp*wp:], 1)
			}
			kernel.PadImage(g, xs, wk.xpOnes)
			kernel.ConvGemmColsOnes(g, fg, l.wBias[gi*fg*(kk+1):(gi+1)*fg*(kk+1)], kk+1, wk.xpOnes, l.offBias, j0, j1-j0, o, npix)
		}
	}
}

// implicitParts is how many parts each of n examples is split into, so
// that a batch smaller than the thread count still keeps every thread
// busy: a part computes a range of output pixels (forward), of input
// pixels (input gradient) and of output rows (its own partial weight
// gradient). Images under 256 output pixels, and input gradients through
// the shifted path, are not split.
func (l *Conv2D) implicitParts(n int, dx bool) int {
	t := kernel.Threads()
	if l.whole {
		t = 1
	}
	g := l.geom
	npix := g.OutH() * g.OutW()
	if n == 0 || n >= t || npix < 256 || dx && !l.implicitInputGrad() {
		return 1
	}
	if l.Filters*g.ColRows()*npix < implicitSplitMin {
		return 1
	}
	return min(g.OutH(), (t+n-1)/n)
}

// implicitSplitMin is the fewest multiply-adds per image worth splitting
// across threads: a part pays a hand-off to another thread and pads the
// image again, microseconds, so images of a few tens of microseconds of
// work (LeNet's first layer at batch 1: 118 Ki multiply-adds) stay whole.
// A guard, not a measured optimum: 4 Mi multiply-adds take about 40 µs.
const implicitSplitMin = 4 << 20

// partRange returns part p of [0, n) split in parts, cut at multiples of 32
// (the micro-kernel's panel width) where n allows.
func partRange(n, parts, p int) (lo, hi int) {
	cut := func(i int) int { return min(n, ceilTo(n*i/parts, 32)) }
	return cut(p), cut(p + 1)
}

// biasWeights writes l.wBias, the weights (F, C/G·KH·KW) with the bias as
// one more column, for forwardImplicit. Large weights are copied by all the
// threads: on one thread, the 128×128×3×3 copy took 3% of a 2-thread
// forward pass of 16×128×8×8 while the other thread waited.
func (l *Conv2D) biasWeights() {
	kk := l.geom.ColRows()
	l.wBias = grow(l.wBias, l.Filters*(kk+1))
	l.bias.l = l
	kernel.Spread(len(l.wBias), (l.Filters+biasBlock-1)/biasBlock, &l.bias)
}

// biasBlock is how many filters' rows of l.wBias a unit of biasTask
// writes.
const biasBlock = 8

// biasTask runs biasWeights on blocks of biasBlock filters.
type biasTask struct{ l *Conv2D }

func (t *biasTask) Run(_, lo, hi int) {
	l := t.l
	kk := l.geom.ColRows()
	w, b := l.W.Value.Data, l.B.Value.Data
	for f := lo * biasBlock; f < min(hi*biasBlock, l.Filters); f++ {
		copy(l.wBias[f*(kk+1):][:kk], w[f*kk:(f+1)*kk])
		l.wBias[f*(kk+1)+kk] = b[f]
	}
}

// gradChunk is how many pixels of the weight gradient's column matrix are
// written at a time: whole output rows of one example, about implicitChunk
// values in all so the chunk stays in L2, or whole examples when an image
// has fewer than 256 pixels, so the product still has a long k.
func (l *Conv2D) gradChunk() (examples, rows int) {
	g := l.geom
	oh, ow := g.OutH(), g.OutW()
	if oh*ow < 256 {
		return max(1, 256/(oh*ow)), oh
	}
	return 1, min(oh, max(1, implicitChunk/g.ColRows()/ow))
}

// implicitChunk is the size, in values, of the column matrix chunk of the
// weight gradient: 128 Ki values, 512 KiB, half of L2.
const implicitChunk = 128 << 10

// backwardImplicit accumulates the parameter gradients of examples
// [lo, hi) into wk and writes their input gradients into dx unless it is
// nil, through the shifted path's col2im if not implicitInputGrad.
//
// The bias gradient comes out of the weight gradient's product: the column
// matrix gets a last row of ones, so dWᵀ gets a last row of Σ dOut, one
// more row for the GEMM instead of a pass over dOut.
func (l *Conv2D) backwardImplicit(x, dOut, dx []float32, wk *convWork, lo, hi, parts int) {
	switch {
	case l.unpadded && dx != nil && l.directWgrad(parts):
		l.backwardUnpadded(x, dOut, dx, wk, lo, hi)
		return
	case l.directWgrad(parts) && dx != nil && l.sharedGradPad():
		l.backwardSharedPad(x, dOut, dx, wk, lo, hi)
		return
	case l.directWgrad(parts):
		l.wgradDirect(x, dOut, wk, lo, hi)
	case l.wgradFromImage():
		l.wgradImage(x, dOut, wk, lo, hi, parts)
	default:
		l.wgradColumns(x, dOut, wk, lo, hi, parts)
	}
	if dx == nil {
		return
	}
	l.inputGradImplicit(dOut, dx, wk, lo, hi, parts)
}

// backwardSharedPad is backwardImplicit on the direct weight gradient when
// sharedGradPad holds: each example's output gradient is copied once, into
// the input gradient's padded layout, and both gradients read it there.
// On CIFAR's first layer (32×3×32×32, 32 filters) the two copies of the
// output gradient had taken some 16% of the forward and backward passes.
func (l *Conv2D) backwardSharedPad(x, dOut, dx []float32, wk *convWork, lo, hi int) {
	g, gg := l.geom, l.gradGeom()
	hpg, wpg := gg.Padded()
	f, npix, planeG := l.Filters, g.OutH()*g.OutW(), hpg*wpg
	// Whole planes for the kernel's rows past F, read and thrown away.
	if size := kernel.ConvWgradRowsAlloc(f) * planeG; len(wk.dxpShared) != size {
		wk.dxpShared = make([]float32, size)
	}
	dp := wk.dxpShared
	l.wgradDirectInit(wk)
	px := l.wgradPixels(wpg)
	for s := lo; s < hi; s++ {
		kernel.PadImage(gg, dOut[s*f*npix:][:f*npix], dp)
		l.wgradDirectAdd(x, dp[gg.PadT*wpg+gg.PadL:], planeG, 0, px, wk, s, 1)
		l.inputGradPadded(dp[:f*planeG], dx, s)
	}
	l.wgradDirectReduce(wk)
}

// wgradColumns accumulates the parameter gradients of units [lo, hi) (see
// backwardImplicit) into wk through chunks of the column matrix.
func (l *Conv2D) wgradColumns(x, dOut []float32, wk *convWork, lo, hi, parts int) {
	g := l.geom
	oh, ow := g.OutH(), g.OutW()
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), oh*ow
	kr := kk // rows of the column matrix, with the row of ones
	if l.B != nil {
		kr++
	}
	plane := g.C * g.H * g.W
	exs, rows := l.gradChunk()
	pc := exs * rows * ow // pixels per chunk
	ld := ceilTo(pc, 16)
	if ld%256 == 0 {
		ld += 16 // rows of A 1 KiB·2ⁿ apart share cache sets
	}
	wk.col = grow(wk.col, kr*ld)
	if exs > 1 {
		wk.out = grow(wk.out, fg*ld)
	}
	wk.dWT = grow(wk.dWT, l.Groups*kr*fg)

	for gi := 0; gi < l.Groups; gi++ {
		dWT := wk.dWT[gi*kr*fg : (gi+1)*kr*fg]
		var beta float32 // the first product overwrites dWT
		for u0 := lo; u0 < hi; u0 += exs {
			// Units are examples, or with parts > 1 (then exs == 1) parts
			// of one example, each a range of output rows.
			s0, cnt := u0/parts, min(exs, hi-u0)
			ylo, yhi := (u0%parts)*oh/parts, (u0%parts+1)*oh/parts
			var xp []float32
			for y0 := ylo; y0 < yhi; y0 += rows {
				n := min(rows, yhi-y0) * ow // pixels of each example in this chunk
				// dOut's pixels of the chunk as rows ldo apart: in place for
				// one example, else copied side by side.
				do, ldo := dOut[((s0*l.Filters+gi*fg)*npix+y0*ow):], npix
				for e := 0; e < cnt; e++ {
					s := s0 + e
					if y0 == ylo {
						// Chunks of rows come one example at a time (exs
						// == 1), so its image is padded once for them all;
						// chunks of several examples have one y0 each.
						xp = padded(g, x[(s*l.Groups+gi)*plane:][:plane], &wk.xp)
					}
					kernel.ConvIm2col(g, xp, l.off, y0*ow, n, wk.col[e*n:], ld)
					if exs > 1 {
						d := dOut[(s*l.Filters+gi*fg)*npix:][:fg*npix]
						for f := 0; f < fg; f++ {
							copy(wk.out[f*ld+e*n:][:n], d[f*npix+y0*ow:][:n])
						}
						do, ldo = wk.out, ld
					}
				}
				if kr > kk {
					setAll(wk.col[kk*ld:][:cnt*n], 1)
				}
				// dW_gᵀ (kr × fg) += col (kr × cnt·n) · dOutᵀ (cnt·n × fg)
				kernel.Sgemm(false, true, kr, fg, cnt*n, 1, wk.col, ld, do, ldo, beta, dWT, fg)
				beta = 1
			}
		}
	}
	// Back to the (F, C/G·KH·KW) layout of W, and the bias row.
	wk.dW = grow(wk.dW, len(l.W.Grad.Data))
	wk.dB = grow(wk.dB, l.Filters)
	for gi := 0; gi < l.Groups; gi++ {
		dWT := wk.dWT[gi*kr*fg : (gi+1)*kr*fg]
		kernel.Transpose(kk, fg, dWT[:kk*fg], wk.dW[gi*fg*kk:(gi+1)*fg*kk])
		if l.B != nil {
			copy(wk.dB[gi*fg:(gi+1)*fg], dWT[kk*fg:])
		}
	}
}

// inputGradImplicit writes the input gradients of units [lo, hi) into dx;
// on the per-unit loop, as in forwardImplicit, through l.steal.
func (l *Conv2D) inputGradImplicit(dOut, dx []float32, wk *convWork, lo, hi, parts int) {
	g := l.geom
	fg, npix := l.Filters/l.Groups, g.OutH()*g.OutW()
	plane := g.C * g.H * g.W
	if l.columnsInputGrad() {
		l.inputGradColumns(dOut, dx, wk, lo, hi) // parts == 1
		return
	}
	if !l.implicitInputGrad() {
		l.backwardShifted(nil, dOut, dx, wk, lo, hi, false) // parts == 1
		return
	}
	if l.inputGradTailsOn(parts) {
		l.inputGradTails(dOut, dx, wk, &l.steal)
		return
	}
	gg := l.gradGeom()
	kg := gg.ColRows()
	for u, ok := l.steal.next(wk.id); ok; u, ok = l.steal.next(wk.id) {
		s := u / parts
		j0, j1 := partRange(g.H*g.W, parts, u%parts)
		for gi := 0; gi < l.Groups; gi++ {
			dp := padded(gg, dOut[(s*l.Filters+gi*fg)*npix:][:fg*npix], &wk.dxp)
			// dx_g (C/G × H·W) = W'_g (C/G × F/G·KH·KW) · col'
			kernel.ConvGemmCols(gg, g.C, l.wFlip[gi*g.C*kg:(gi+1)*g.C*kg], kg, dp, l.offGrad, j0, j1-j0, 0,
				dx[(s*l.Groups+gi)*plane+j0:], g.H*g.W)
		}
	}
}

// inputGradPadded writes example s's input gradient into dx from dp, its
// output gradient padded for gradGeom, for a layer of one group.
func (l *Conv2D) inputGradPadded(dp, dx []float32, s int) {
	g, gg := l.geom, l.gradGeom()
	kg, npix := gg.ColRows(), g.H*g.W
	kernel.ConvGemmCols(gg, g.C, l.wFlip[:g.C*kg], kg, dp, l.offGrad, 0, npix, 0, dx[s*g.C*npix:], npix)
}

// flipWeights writes W' (see the top of this file) into l.wFlip: for each
// group, W'_g[c, f, i, j] = W_g[f, c, KH-1-i, KW-1-j]. Weights of at least
// kernel.SpreadMin values are spread over the threads, blocks of 16 filters
// each: before, the 256×256×3×3 weights of 8×256×14×14 took a serial
// 0.35 ms, 2% of that layer's forward and backward pass at 2 threads.
func (l *Conv2D) flipWeights() {
	l.wFlip = grow(l.wFlip, len(l.W.Value.Data))
	blocks := l.Groups * ((l.Filters/l.Groups + flipBlock - 1) / flipBlock)
	l.flip.l = l
	kernel.Spread(len(l.wFlip), blocks, &l.flip)
}

// flipBlock is the side of flipWeights' square blocks of filters by
// channels, within which reads and writes both stay in a few cache lines.
const flipBlock = 16

// flipTask runs flipWeights on blocks of filters: block u is filters
// [16·(u mod B), 16·(u mod B)+16) of group u/B, B blocks to a group.
type flipTask struct{ l *Conv2D }

func (t *flipTask) Run(_, lo, hi int) {
	l := t.l
	g := l.geom
	fg, khw := l.Filters/l.Groups, g.KH*g.KW
	per := (fg + flipBlock - 1) / flipBlock
	for u := lo; u < hi; u++ {
		gi, f0 := u/per, u%per*flipBlock
		src := l.W.Value.Data[gi*fg*g.C*khw : (gi+1)*fg*g.C*khw]
		dst := l.wFlip[gi*fg*g.C*khw : (gi+1)*fg*g.C*khw]
		for c0 := 0; c0 < g.C; c0 += flipBlock {
			c1 := min(c0+flipBlock, g.C)
			for f := f0; f < min(f0+flipBlock, fg); f++ {
				if khw == 9 {
					kernel.Reverse9(dst[(c0*fg+f)*khw:], fg*khw, src[(f*g.C+c0)*khw:], c1-c0)
					continue
				}
				for c := c0; c < c1; c++ {
					si, di := (f*g.C+c)*khw, (c*fg+f)*khw
					d := dst[di : di+khw : di+khw]
					for i, v := range src[si : si+khw : si+khw] {
						d[khw-1-i] = v
					}
				}
			}
		}
	}
}

// setAll sets every element of x to v by doubling copies, which run as
// vector moves: a plain loop of stores took 21% of the forward pass of
// CIFAR's first layer (32×3×32×32, 32 filters), as long as its product.
func setAll(x []float32, v float32) {
	if len(x) == 0 {
		return
	}
	x[0] = v
	for n := 1; n < len(x); n *= 2 {
		copy(x[n:], x[:n])
	}
}

func ceilTo(n, m int) int { return (n + m - 1) / m * m }

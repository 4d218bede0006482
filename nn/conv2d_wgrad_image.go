package nn

import "github.com/convnet/convnet/internal/kernel"

// The weight gradient with the column matrix read in place from the padded
// image (kernel.ConvWgradImage), for layers with a multiple of 8 input
// channels per group:
//
//	dW_gᵀ (C/G·KH·KW × F/G) += col(pad(x_g)) · dOut_gᵀ
//
// as on the column path (wgradColumns), but only dOutᵀ is packed, into
// 32-filter panels (kernel.PackConvWgradB); the micro-kernel broadcasts
// col's values from the image itself, 8 channels of one tap at a time.
// Nothing is gathered, so a chunk of pixels is sized for the packed panel
// alone: wgradImagePixels pixels, whole output rows of one example or
// whole examples. The bias gradient, Σ dOut over the pixels, is summed
// from the packed panels after the product has read them.
//
// BenchmarkConv2D wgrad, 1 thread, 5 alternating runs (cpu-GFLOP/s), the
// column path against this one: 32×32×32×32 127-145 against 148-181,
// 32×64×16×16 142-170 against 164-190, 16×128×8×8 152-180 against
// 164-194, 8×256×14×14 139-164 against 156-186.

// wgradImageEnabled is false only in tests, to run the column path on
// shapes that would take this one.
var wgradImageEnabled = true

// wgradFromImage reports whether the weight gradient (off the direct path)
// reads the column matrix in place: a multiple of 8 input channels per
// group, on a CPU where the kernel is vectorised.
func (l *Conv2D) wgradFromImage() bool {
	return l.geom.C%8 == 0 && kernel.ConvWgradImageFast() && wgradImageEnabled
}

// wgradImagePixels is how many pixels a chunk of the product sums at most:
// its packed panel, 32 filters wide, is then 32 KiB and stays in L1 while
// every tap and channel block reads it. BenchmarkConv2D wgrad, 1 thread, 2
// alternating runs (cpu-GFLOP/s) on the four large shapes and 1×64×56×56:
// 256 pixels 176-199, 512 pixels 164-190, 1024 pixels 149-183; 128 pixels
// was within the noise of 256.
const wgradImagePixels = 256

// imageChunk returns the examples and output rows of a chunk: whole rows
// of one example, or as many whole examples as fit in wgradImagePixels.
func (l *Conv2D) imageChunk() (examples, rows int) {
	g := l.geom
	oh, ow := g.OutH(), g.OutW()
	if oh*ow <= wgradImagePixels {
		return max(1, wgradImagePixels/(oh*ow)), oh
	}
	return 1, max(1, wgradImagePixels/ow)
}

// wgradImage accumulates the parameter gradients of units [lo, hi) (see
// backwardImplicit) into wk.dW and wk.dB.
func (l *Conv2D) wgradImage(x, dOut []float32, wk *convWork, lo, hi, parts int) {
	g := l.geom
	oh, ow := g.OutH(), g.OutW()
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), oh*ow
	plane := g.C * g.H * g.W
	exs, rows := l.imageChunk()
	wk.bp = grow(wk.bp, kernel.ConvWgradBLen(fg, exs*rows*ow))
	wk.dWT = grow(wk.dWT, l.Groups*kk*fg)
	wk.dB = grow(wk.dB, l.Filters)
	clear(wk.dB)

	for gi := 0; gi < l.Groups; gi++ {
		dWT := wk.dWT[gi*kk*fg : (gi+1)*kk*fg]
		overwrite := true // the first product overwrites dWT
		for u0 := lo; u0 < hi; u0 += exs {
			// Units are examples, or with parts > 1 (then exs == 1) parts
			// of one example, each a range of output rows.
			s0, cnt := u0/parts, min(exs, hi-u0)
			ylo, yhi := (u0%parts)*oh/parts, (u0%parts+1)*oh/parts
			// The images of the chunk, padded side by side, or in place.
			xs := x[(s0*l.Groups+gi)*plane:]
			xp, xstr, pad := wk.xpN.layout(g, xs, l.Groups*plane, exs, false)
			for e := 0; pad && e < cnt; e++ {
				kernel.PadImage(g, xs[e*l.Groups*plane:][:plane], xp[e*xstr:])
			}
			for y0 := ylo; y0 < yhi; y0 += rows {
				nr := min(rows, yhi-y0)
				k := cnt * nr * ow
				for e := 0; e < cnt; e++ {
					d := dOut[((s0+e)*l.Filters+gi*fg)*npix+y0*ow:]
					kernel.PackConvWgradB(fg, nr*ow, d, npix, wk.bp, e*nr*ow, k)
				}
				// dW_gᵀ (C/G·KH·KW × F/G) += col (C/G·KH·KW × k) · dOutᵀ (k × F/G)
				kernel.ConvWgradImage(g, fg, xp, xstr, cnt, y0, nr, wk.bp, overwrite, dWT, fg)
				overwrite = false
				if l.B != nil {
					addPanelSums(wk.dB[gi*fg:(gi+1)*fg], wk.bp, k)
				}
			}
		}
	}
	// Back to the (F, C/G·KH·KW) layout of W.
	wk.dW = grow(wk.dW, len(l.W.Grad.Data))
	for gi := 0; gi < l.Groups; gi++ {
		kernel.Transpose(kk, fg, wk.dWT[gi*kk*fg:(gi+1)*kk*fg], wk.dW[gi*fg*kk:(gi+1)*fg*kk])
	}
}

// addPanelSums adds to dB[f] the sum of the k rows of f's packed panel in
// bp (kernel.PackConvWgradB), overwriting the panels: each panel is halved
// onto itself, rows [k-h, k) added onto [0, h), until one row is left,
// log₂ k vector additions (kernel.AddTo) in a fixed order.
func addPanelSums(dB, bp []float32, k int) {
	const w = 32 // a panel's width
	for j := 0; j*w < len(dB); j++ {
		panel := bp[j*k*w : (j+1)*k*w]
		for n := k; n > 1; {
			h := n / 2
			kernel.AddTo(panel[:h*w], panel[(n-h)*w:n*w])
			n -= h
		}
		kernel.AddTo(dB[j*w:min(len(dB), (j+1)*w)], panel)
	}
}

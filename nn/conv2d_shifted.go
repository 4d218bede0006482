package nn

import "github.com/convnet/convnet/internal/kernel"

// The stride-1 path of Conv2D: im2col in the shifted form, where each row of
// the column matrix is one contiguous run of the zero-padded image and the
// output is computed on rows Wp wide (kernel.Im2colShifted). Examples are
// taken shiftedBatch at a time into one GEMM whose columns are the examples'
// column blocks side by side, so small images still make a wide product.

// shiftedCols is the number of GEMM columns the stride-1 path aims for per
// product: narrower products spend more of their time packing and in
// partial tiles, wider ones spill the column matrix out of L2. Measured
// with one thread, forward and backward at batch 64: 3×3 on 4×4×128 takes
// 22% less time at 256 than one example per GEMM; 8×8×64, 14×14×6 (LeNet's
// second conv) and wider images, which already fill 256 columns alone, do
// not change, and at 512 or more 8×8×64 gets slower.
const shiftedCols = 256

// shifted reports whether the layer takes the stride-1 path: stride 1 and
// not a plain 1×1 convolution, which needs no im2col at all.
func (l *Conv2D) shifted() bool {
	return l.SH == 1 && l.SW == 1 && !l.direct()
}

// shiftedBatch is how many examples one GEMM of the stride-1 path takes.
func (l *Conv2D) shiftedBatch() int {
	return max(1, shiftedCols/l.geom.ShiftedCols())
}

// shiftedLd is the row stride of the stride-1 path's column and output
// matrices: shiftedBatch examples' columns side by side.
func (l *Conv2D) shiftedLd() int { return l.shiftedBatch() * l.geom.ShiftedCols() }

// shiftedBuffers sizes wk for the stride-1 path and returns the column
// block of one example (ns) and the row stride of the column and output
// matrices (ld). A padded image is zeroed when first made, and only its
// interior is written after that, so its border stays zero.
func (l *Conv2D) shiftedBuffers(wk *convWork, backward, dx bool) (ns, ld int) {
	g := l.geom
	ns, ld = g.ShiftedCols(), l.shiftedLd()
	switch hp, wp := g.Padded(); {
	case hp*wp == g.H*g.W: // no padding: the image itself serves
		wk.xp, wk.dxp = nil, nil
	case len(wk.xp) != g.C*hp*wp:
		wk.xp, wk.dxp = make([]float32, g.C*hp*wp), nil
	}
	wk.col = grow(wk.col, g.ColRows()*ld)
	if !backward {
		wk.out = grow(wk.out, l.Filters/l.Groups*ld)
	} else if len(wk.dOutW) != l.Filters/l.Groups*ld {
		wk.dOutW = make([]float32, l.Filters/l.Groups*ld)
	}
	if backward && dx {
		wk.dcol = grow(wk.dcol, g.ColRows()*ld)
		if wk.xp != nil {
			wk.dxp = grow(wk.dxp, len(wk.xp))
		}
	}
	return ns, ld
}

// shiftedColumns fills wk.col with the shifted columns of examples
// [s0, s0+cnt), group gi, each example's block ns columns after the last.
func (l *Conv2D) shiftedColumns(x []float32, wk *convWork, s0, cnt, gi, ns, ld int) {
	g := l.geom
	plane := g.C * g.H * g.W
	for j := 0; j < cnt; j++ {
		xs := x[((s0+j)*l.Groups+gi)*plane:][:plane]
		if wk.xp != nil {
			kernel.PadImage(g, xs, wk.xp)
			xs = wk.xp
		}
		kernel.Im2colShifted(g, xs, wk.col[j*ns:], ld)
	}
}

// forwardShifted computes the output of examples [lo, hi) on the stride-1
// path: out_g = W_g (F/G × C/G·KH·KW) · col, then each row cut back from Wp
// to OW wide, with the bias added.
func (l *Conv2D) forwardShifted(x, out []float32, wk *convWork, lo, hi int) {
	g := l.geom
	_, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	fg, kk := l.Filters/l.Groups, g.ColRows()
	ns, ld := l.shiftedBuffers(wk, false, false)
	batch := l.shiftedBatch()
	for s0 := lo; s0 < hi; s0 += batch {
		cnt := min(batch, hi-s0)
		for gi := 0; gi < l.Groups; gi++ {
			l.shiftedColumns(x, wk, s0, cnt, gi, ns, ld)
			w := l.W.Value.Data[gi*fg*kk : (gi+1)*fg*kk]
			kernel.Sgemm(false, false, fg, cnt*ns, kk, 1, w, kk, wk.col, ld, 0, wk.out, ld)
			for j := 0; j < cnt; j++ {
				for f := 0; f < fg; f++ {
					var b float32
					if l.B != nil {
						b = l.B.Value.Data[gi*fg+f]
					}
					o := out[((s0+j)*l.Filters+gi*fg+f)*oh*ow:][:oh*ow]
					t := wk.out[f*ld+j*ns:]
					for oy := 0; oy < oh; oy++ {
						kernel.CopyAddScalar(o[oy*ow:(oy+1)*ow], t[oy*wp:], b)
					}
				}
			}
		}
	}
}

// shiftedInputGrad reports whether Backward computes the input gradient
// on the shifted path.
func (l *Conv2D) shiftedInputGrad() bool {
	if l.implicitForward() {
		return !l.implicitInputGrad() && !l.columnsInputGrad()
	}
	return l.shifted()
}

// planCol2im makes l.col2im fit the layer's geometry, before the workers
// of a backward pass on the shifted path share it.
func (l *Conv2D) planCol2im() {
	g := l.geom
	if ld := l.shiftedLd(); !l.col2im.Plans(g, ld, false) {
		l.col2im = kernel.NewShiftedCol2im(g, ld)
	}
}

// backwardShifted accumulates the parameter gradients of examples [lo, hi)
// into wk and writes their input gradients into dx unless it is nil, on the
// stride-1 path. dOut is laid out on rows Wp wide with zeros in the columns
// that belong to no output, so they add nothing to dW and, through
// dcol = W_gᵀ · dOut, nothing to dx.
//
// With weights false it computes the input gradient alone, for the
// implicit path (see backwardImplicit), and leaves the parameter gradients
// in wk as they are.
func (l *Conv2D) backwardShifted(x, dOut, dx []float32, wk *convWork, lo, hi int, weights bool) {
	g := l.geom
	_, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	fg, kk := l.Filters/l.Groups, g.ColRows()
	plane := g.C * g.H * g.W
	ns, ld := l.shiftedBuffers(wk, true, dx != nil)
	batch := l.shiftedBatch()
	if weights {
		wk.dW = grow(wk.dW, len(l.W.Grad.Data))
		clear(wk.dW)
		if l.B != nil {
			wk.dB = grow(wk.dB, l.Filters)
			clear(wk.dB)
		}
	}
	for s0 := lo; s0 < hi; s0 += batch {
		cnt := min(batch, hi-s0)
		for gi := 0; gi < l.Groups; gi++ {
			if weights {
				l.shiftedColumns(x, wk, s0, cnt, gi, ns, ld)
			}
			for j := 0; j < cnt; j++ {
				d := dOut[((s0+j)*l.Filters+gi*fg)*oh*ow:][:fg*oh*ow]
				// The Wp-OW columns past each row stay zero: nothing else
				// writes dOutW.
				kernel.CopyPlanes(wk.dOutW[j*ns:], wp, ld, d, ow, oh*ow, fg, oh, ow)
				if weights && l.B != nil {
					for f := 0; f < fg; f++ {
						wk.dB[gi*fg+f] += rowSum(d[f*oh*ow:][:oh*ow])
					}
				}
			}
			n := cnt * ns
			if weights {
				// dW_g += dOut_g (fg × n) · colᵀ (n × kk)
				kernel.Sgemm(false, true, fg, kk, n, 1, wk.dOutW, ld, wk.col, ld, 1, wk.dW[gi*fg*kk:(gi+1)*fg*kk], kk)
			}
			if dx == nil {
				continue
			}
			// dcol = W_gᵀ (kk × fg) · dOut_g (fg × n), then back onto the image.
			w := l.W.Value.Data[gi*fg*kk : (gi+1)*fg*kk]
			kernel.Sgemm(true, false, kk, n, fg, 1, w, kk, wk.dOutW, ld, 0, wk.dcol, ld)
			for j := 0; j < cnt; j++ {
				dxs := dx[((s0+j)*l.Groups+gi)*plane:][:plane]
				if wk.dxp == nil {
					l.col2im.Set(wk.dcol[j*ns:], dxs)
					continue
				}
				l.col2im.Set(wk.dcol[j*ns:], wk.dxp)
				kernel.UnpadImage(g, wk.dxp, dxs)
			}
		}
	}
}

// rowSum returns Σ x with four running sums, so the additions do not wait on
// each other; the order is fixed, so the result is too.
func rowSum(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

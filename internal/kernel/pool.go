package kernel

import "math"

// PoolGeom is the geometry of 2-D pooling over one image of C channels,
// H×W pixels, producing OH×OW windows per channel. Window (oy,ox) reads rows
// oy·SH - PadT + i·DH for i in [0,KH) and columns ox·SW - PadL + j·DW for j
// in [0,KW); taps outside the image fall in the padding. Padding may differ
// per side (ONNX pads [top, left, bottom, right]). OH and OW are given, not
// derived, because ceil mode changes them; PoolOutSize computes them.
type PoolGeom struct {
	C, H, W                int
	KH, KW                 int
	SH, SW                 int
	PadT, PadL, PadB, PadR int
	DH, DW                 int
	OH, OW                 int
}

// PoolOutSize is the number of pooling windows along an axis of n pixels,
// with kernel k, stride s, padding before and after, and dilation d, as in
// PyTorch (pooling_output_shape_pad_lr) and ONNX MaxPool/AveragePool:
//
//	out = ⌊(n + before + after - d·(k-1) - 1) / s⌋ + 1     (⌈…⌉ in ceil mode)
//
// In ceil mode a last window that would start past the input and its
// leading padding (at or beyond n + before) is dropped. It returns 0 when the
// dilated kernel does not fit the padded input.
func PoolOutSize(n, k, s, before, after, d int, ceil bool) int {
	span := n + before + after - d*(k-1) - 1
	if span < 0 {
		return 0
	}
	out := span/s + 1
	if ceil {
		if span%s != 0 {
			out++
		}
		if (out-1)*s >= n+before {
			out--
		}
	}
	return out
}

// taps returns the range [lo, hi) of kernel taps i in [0, k) whose position
// start + i·d lies inside [0, n).
func taps(start, n, k, d int) (lo, hi int) {
	if start < 0 {
		lo = (-start + d - 1) / d
	}
	hi = k
	if last := start + (k-1)*d; last >= n {
		// Largest i with start + i·d <= n-1, plus one.
		hi = (n-1-start)/d + 1
		if n-1-start < 0 {
			hi = 0
		}
	}
	return lo, max(lo, hi)
}

// MaxPoolForward writes, for one image x (C,H,W), the window maxima y
// (C,OH,OW) and in arg the index iy·W+ix within the channel plane of the
// pixel each maximum came from:
//
//	y[c,oy,ox] = max_{i,j} x[c, oy·SH - PadT + i·DH, ox·SW - PadL + j·DW]
//
// Padding never wins: it is -∞, as in PyTorch and ONNX. Ties keep the first
// pixel in row-major window order and NaN propagates, as in PyTorch. A window
// that holds only padding (possible only with dilation or very large
// padding) gives 0 and arg -1.
func MaxPoolForward(g PoolGeom, x, y []float32, arg []int32) {
	if g.is2x2() {
		maxPool2x2(g, x, y, arg)
		return
	}
	maxPoolGo(g, x, y, arg)
}

// maxPoolGo is MaxPoolForward for any geometry, the reference for the
// 2×2 fast path.
func maxPoolGo(g PoolGeom, x, y []float32, arg []int32) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	for c := 0; c < g.C; c++ {
		plane := x[c*hw : (c+1)*hw]
		yp, ap := y[c*ohw:(c+1)*ohw], arg[c*ohw:(c+1)*ohw]
		for oy := 0; oy < g.OH; oy++ {
			y0 := oy*g.SH - g.PadT
			ilo, ihi := taps(y0, g.H, g.KH, g.DH)
			for ox := 0; ox < g.OW; ox++ {
				x0 := ox*g.SW - g.PadL
				jlo, jhi := taps(x0, g.W, g.KW, g.DW)
				best, bi := float32(math.Inf(-1)), int32(-1)
			window:
				for i := ilo; i < ihi; i++ {
					iy := y0 + i*g.DH
					row := plane[iy*g.W : (iy+1)*g.W]
					for j := jlo; j < jhi; j++ {
						ix := x0 + j*g.DW
						if v := row[ix]; v > best || bi < 0 || v != v {
							best, bi = v, int32(iy*g.W+ix)
							if v != v {
								break window // NaN: nothing replaces it
							}
						}
					}
				}
				if bi < 0 {
					best = 0
				}
				yp[oy*g.OW+ox], ap[oy*g.OW+ox] = best, bi
			}
		}
	}
}

// MaxPoolBackward routes each output gradient of one image back to the pixel
// its maximum came from: dx = 0, then dx[c, arg[c,o]] += dy[c,o]. dx (C,H,W)
// is overwritten. A 2×2 pool whose windows tile the image takes one vector
// pass that writes each pixel once (maxPool2x2BackwardImage).
func MaxPoolBackward(g PoolGeom, dy []float32, arg []int32, dx []float32) {
	if g.is2x2() && maxPool2x2BackwardImage(g, dy, arg, dx) {
		return
	}
	hw, ohw := g.H*g.W, g.OH*g.OW
	clear(dx[:g.C*hw])
	for c := 0; c < g.C; c++ {
		dxp := dx[c*hw : (c+1)*hw]
		dyp, ap := dy[c*ohw:(c+1)*ohw], arg[c*ohw:(c+1)*ohw]
		for o, a := range ap {
			if a >= 0 {
				dxp[a] += dyp[o]
			}
		}
	}
}

// avgWindow returns the clipped window [y0,y1)×[x0,x1) of output (oy,ox) and
// its divisor, following PyTorch's avg_pool2d: with includePad the divisor
// counts padding taps but not the overhang past the trailing padding that
// ceil mode can add; without it, only pixels inside the image.
func avgWindow(g PoolGeom, oy, ox int, includePad bool) (y0, y1, x0, x1 int, div float32) {
	y0, x0 = oy*g.SH-g.PadT, ox*g.SW-g.PadL
	y1, x1 = min(y0+g.KH, g.H+g.PadB), min(x0+g.KW, g.W+g.PadR)
	padded := (y1 - y0) * (x1 - x0)
	y0, x0 = max(y0, 0), max(x0, 0)
	y1, x1 = min(y1, g.H), min(x1, g.W)
	if includePad {
		return y0, y1, x0, x1, float32(padded)
	}
	return y0, y1, x0, x1, float32(max(0, y1-y0) * max(0, x1-x0))
}

// AvgPoolForward writes, for one image x (C,H,W), the window means y
// (C,OH,OW):
//
//	y[c,oy,ox] = (1/div) Σ_{i,j} x[c, oy·SH - PadT + i, ox·SW - PadL + j]
//
// over the taps inside the image, with div from PyTorch's rule (see
// avgWindow): the full padded window with includePad (count_include_pad),
// else the taps inside the image. A window with nothing to average gives 0.
// Average pooling has no dilation: DH and DW must be 1.
func AvgPoolForward(g PoolGeom, x, y []float32, includePad bool) {
	if g.DH != 1 || g.DW != 1 {
		panic("kernel: AvgPoolForward: average pooling takes no dilation")
	}
	hw, ohw := g.H*g.W, g.OH*g.OW
	for c := 0; c < g.C; c++ {
		plane, yp := x[c*hw:(c+1)*hw], y[c*ohw:(c+1)*ohw]
		for oy := 0; oy < g.OH; oy++ {
			for ox := 0; ox < g.OW; ox++ {
				y0, y1, x0, x1, div := avgWindow(g, oy, ox, includePad)
				var sum float32
				for iy := y0; iy < y1; iy++ {
					for _, v := range plane[iy*g.W+x0 : iy*g.W+x1] {
						sum += v
					}
				}
				if div > 0 {
					sum /= div
				}
				yp[oy*g.OW+ox] = sum
			}
		}
	}
}

// AvgPoolBackward spreads each output gradient of one image evenly over its
// window: dx[c,iy,ix] = Σ over windows containing (iy,ix) of dy[c,o]/div.
// dx (C,H,W) is overwritten.
func AvgPoolBackward(g PoolGeom, dy, dx []float32, includePad bool) {
	if g.DH != 1 || g.DW != 1 {
		panic("kernel: AvgPoolBackward: average pooling takes no dilation")
	}
	hw, ohw := g.H*g.W, g.OH*g.OW
	clear(dx[:g.C*hw])
	for c := 0; c < g.C; c++ {
		dxp, dyp := dx[c*hw:(c+1)*hw], dy[c*ohw:(c+1)*ohw]
		for oy := 0; oy < g.OH; oy++ {
			for ox := 0; ox < g.OW; ox++ {
				y0, y1, x0, x1, div := avgWindow(g, oy, ox, includePad)
				if div == 0 {
					continue
				}
				v := dyp[oy*g.OW+ox] / div
				for iy := y0; iy < y1; iy++ {
					row := dxp[iy*g.W+x0 : iy*g.W+x1]
					for k := range row {
						row[k] += v
					}
				}
			}
		}
	}
}

// GlobalAvgPool writes the mean of each plane of x (planes × n) into y
// (planes): y[p] = (1/n) Σ_k x[p·n + k], as ONNX GlobalAveragePool.
func GlobalAvgPool(x, y []float32, n int) {
	inv := 1 / float32(n)
	for p := range y {
		var sum float32
		for _, v := range x[p*n : (p+1)*n] {
			sum += v
		}
		y[p] = sum * inv
	}
}

// GlobalAvgPoolBackward: dx[p·n + k] = dy[p]/n, overwriting dx.
func GlobalAvgPoolBackward(dy, dx []float32, n int) {
	inv := 1 / float32(n)
	for p, d := range dy {
		row := dx[p*n : (p+1)*n]
		v := d * inv
		for k := range row {
			row[k] = v
		}
	}
}

// GlobalMaxPool writes the maximum of each plane of x (planes × n) into y
// (planes) and its index within the plane into arg, as ONNX GlobalMaxPool;
// ties keep the first, NaN propagates.
func GlobalMaxPool(x, y []float32, arg []int32, n int) {
	for p := range y {
		row := x[p*n : (p+1)*n]
		best, bi := row[0], 0
		for k, v := range row {
			if v > best || v != v {
				best, bi = v, k
				if v != v {
					break
				}
			}
		}
		y[p], arg[p] = best, int32(bi)
	}
}

// GlobalMaxPoolBackward: dx = 0 except dx[p·n + arg[p]] = dy[p].
func GlobalMaxPoolBackward(dy []float32, arg []int32, dx []float32, n int) {
	clear(dx[:len(dy)*n])
	for p, d := range dy {
		dx[p*n+int(arg[p])] = d
	}
}

package kernel

// ConvGeom is the geometry of a 2-D convolution or pooling window over one
// image of C channels, H×W pixels. Padding may differ per side (ONNX pads
// [top, left, bottom, right]); dilation D spaces the kernel taps, so a
// kernel of size K covers D·(K-1)+1 pixels. The output size follows
// PyTorch/ONNX: OH = (H + PadT + PadB - (DH·(KH-1)+1)) / SH + 1.
type ConvGeom struct {
	C, H, W                int
	KH, KW                 int
	SH, SW                 int
	PadT, PadL, PadB, PadR int
	DH, DW                 int
}

// OutH is the output height (floor mode).
func (g ConvGeom) OutH() int { return (g.H+g.PadT+g.PadB-(g.DH*(g.KH-1)+1))/g.SH + 1 }

// OutW is the output width (floor mode).
func (g ConvGeom) OutW() int { return (g.W+g.PadL+g.PadR-(g.DW*(g.KW-1)+1))/g.SW + 1 }

// ColRows is the number of rows of the im2col matrix: C·KH·KW.
func (g ConvGeom) ColRows() int { return g.C * g.KH * g.KW }

// Im2col unfolds one image x (C,H,W) into col (C·KH·KW, OH·OW): row
// (c,ki,kj) holds, for every output position (oy,ox), the input pixel
// x[c, oy·SH - PadT + ki·DH, ox·SW - PadL + kj·DW], or 0 where that falls in
// the padding. A convolution is then W (F, C·KH·KW) × col.
func Im2col(g ConvGeom, x, col []float32) {
	oh, ow := g.OutH(), g.OutW()
	r := 0
	for c := 0; c < g.C; c++ {
		plane := x[c*g.H*g.W : (c+1)*g.H*g.W]
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				dst := col[r*oh*ow : (r+1)*oh*ow]
				r++
				for oy := 0; oy < oh; oy++ {
					row := dst[oy*ow : (oy+1)*ow]
					iy := oy*g.SH - g.PadT + ki*g.DH
					if iy < 0 || iy >= g.H {
						clear(row)
						continue
					}
					src := plane[iy*g.W : (iy+1)*g.W]
					ix := kj*g.DW - g.PadL
					if g.SW == 1 {
						// Contiguous copy with zeroed margins.
						lo, hi := max(0, -ix), min(ow, g.W-ix)
						if hi <= lo {
							clear(row)
							continue
						}
						clear(row[:lo])
						copy(row[lo:hi], src[ix+lo:ix+hi])
						clear(row[hi:])
						continue
					}
					for ox := range row {
						if ix >= 0 && ix < g.W {
							row[ox] = src[ix]
						} else {
							row[ox] = 0
						}
						ix += g.SW
					}
				}
			}
		}
	}
}

// Col2im is the adjoint of Im2col: it adds every entry of col
// (C·KH·KW, OH·OW) back into the pixel of dx (C,H,W) it was read from.
// dx is accumulated into, not overwritten; padding entries are dropped.
func Col2im(g ConvGeom, col, dx []float32) {
	oh, ow := g.OutH(), g.OutW()
	r := 0
	for c := 0; c < g.C; c++ {
		plane := dx[c*g.H*g.W : (c+1)*g.H*g.W]
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				src := col[r*oh*ow : (r+1)*oh*ow]
				r++
				for oy := 0; oy < oh; oy++ {
					iy := oy*g.SH - g.PadT + ki*g.DH
					if iy < 0 || iy >= g.H {
						continue
					}
					row := src[oy*ow : (oy+1)*ow]
					dst := plane[iy*g.W : (iy+1)*g.W]
					ix := kj*g.DW - g.PadL
					for _, v := range row {
						if ix >= 0 && ix < g.W {
							dst[ix] += v
						}
						ix += g.SW
					}
				}
			}
		}
	}
}

// Stride-1 convolutions have a cheaper im2col, the shifted form: pad the
// image once into a zeroed (C, Hp, Wp) buffer, Hp = H+PadT+PadB and
// Wp = W+PadL+PadR, and compute the output on rows Wp wide instead of OW.
// Then row (c,ki,kj) of the column matrix is one contiguous run of the
// padded image, starting at (c, ki·DH, kj·DW): column oy·Wp + ox holds the
// tap of output (oy, ox) for ox < OW, and a value that belongs to no output
// for ox >= OW. The GEMM computes Wp/OW more columns than it needs, and in
// exchange im2col is C·KH·KW copies and col2im as many vector adds.

// Padded is the size of the zero-padded image: H+PadT+PadB by W+PadL+PadR.
func (g ConvGeom) Padded() (hp, wp int) { return g.H + g.PadT + g.PadB, g.W + g.PadL + g.PadR }

// ShiftedCols is the number of columns of the shifted column matrix of a
// stride-1 convolution: (OH-1)·Wp + OW, the last output row cut at OW so no
// row runs past the padded image.
func (g ConvGeom) ShiftedCols() int {
	_, wp := g.Padded()
	return (g.OutH()-1)*wp + g.OutW()
}

// PadImage writes x (C,H,W) into the interior of xp (C,Hp,Wp), at row PadT
// and column PadL of each plane. The border of xp is left as it is, so a
// buffer zeroed once stays a zero-padded image.
func PadImage(g ConvGeom, x, xp []float32) {
	hp, wp := g.Padded()
	if hp*wp == g.H*g.W {
		copy(xp[:g.C*g.H*g.W], x)
		return
	}
	CopyPlanes(xp[g.PadT*wp+g.PadL:], wp, hp*wp, x, g.W, g.H*g.W, g.C, g.H, g.W)
}

// UnpadImage is the adjoint of PadImage without the border: it overwrites
// dx (C,H,W) with the interior of dxp (C,Hp,Wp).
func UnpadImage(g ConvGeom, dxp, dx []float32) {
	hp, wp := g.Padded()
	CopyPlanes(dx, g.W, g.H*g.W, dxp[g.PadT*wp+g.PadL:], wp, hp*wp, g.C, g.H, g.W)
}

// Im2colShifted writes the shifted column matrix of a stride-1 convolution
// (SH = SW = 1) of the padded image xp (C,Hp,Wp) into col, whose rows are ld
// apart (ld >= ShiftedCols()):
//
//	col[r·ld + j] = xp[c·Hp·Wp + ki·DH·Wp + kj·DW + j],   r = (c·KH + ki)·KW + kj,  j < ShiftedCols()
func Im2colShifted(g ConvGeom, xp, col []float32, ld int) {
	hp, wp := g.Padded()
	n := g.ShiftedCols()
	r := 0
	for c := 0; c < g.C; c++ {
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				s := c*hp*wp + ki*g.DH*wp + kj*g.DW
				copy(col[r*ld:r*ld+n], xp[s:s+n])
				r++
			}
		}
	}
}

// Col2imShifted is the adjoint of Im2colShifted: it adds each row of col
// (rows ld apart) back into the run of dxp (C,Hp,Wp) it was read from.
// dxp is accumulated into, not overwritten. The columns that belong to no
// output add into real pixels too, so they must be zero: the caller zeroes
// them in the output gradient the GEMM builds col from.
func Col2imShifted(g ConvGeom, col []float32, ld int, dxp []float32) {
	hp, wp := g.Padded()
	n := g.ShiftedCols()
	r := 0
	for c := 0; c < g.C; c++ {
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				s := c*hp*wp + ki*g.DH*wp + kj*g.DW
				addTo(dxp[s:s+n], col[r*ld:r*ld+n])
				r++
			}
		}
	}
}

// AddTo sets dst += src elementwise over len(dst), vectorised where the
// CPU allows.
func AddTo(dst, src []float32) { addTo(dst, src[:len(dst)]) }

// addToGo sets dst += src elementwise over len(dst): the reference for
// addTo, which may be vectorised.
func addToGo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// CopyAddScalar sets dst = src + b elementwise over len(dst): the copy of a
// convolution's output rows out of the shifted layout, with the bias.
func CopyAddScalar(dst, src []float32, b float32) {
	copyAddScalar(dst, src[:len(dst)], b)
}

// copyAddScalarGo is CopyAddScalar in plain Go.
func copyAddScalarGo(dst, src []float32, b float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = src[i] + b
	}
}

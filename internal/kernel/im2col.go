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

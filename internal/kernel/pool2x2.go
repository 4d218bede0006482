package kernel

// The 2×2, stride-2 max pool of LeNet and most small ConvNets, without the
// general path's window clipping: every window lies inside the image. With
// AVX-512 one call pools a whole image (pool2x2_avx512_amd64.s) and, where
// the windows tile it, routes the gradients back writing each pixel once;
// otherwise the backward pass is the general clear and scatter.

// is2x2 reports whether g is a 2×2 pool with stride 2, no padding and no
// dilation whose windows all lie inside the image (no ceil-mode overhang).
func (g PoolGeom) is2x2() bool {
	return g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.DH == 1 && g.DW == 1 &&
		g.PadT == 0 && g.PadL == 0 && g.PadB == 0 && g.PadR == 0 && 2*g.OH <= g.H && 2*g.OW <= g.W
}

// max4 returns the largest of a, b, c, d, the taps of a window in row-major
// order, and its position 0-3, with MaxPoolForward's rules: the first of
// equal values wins, and the first NaN wins over everything.
func max4(a, b, c, d float32) (float32, int) {
	if a != a {
		return a, 0
	}
	best, k := a, 0
	if b > best || b != b {
		if b != b {
			return b, 1
		}
		best, k = b, 1
	}
	if c > best || c != c {
		if c != c {
			return c, 2
		}
		best, k = c, 2
	}
	if d > best || d != d {
		return d, 3
	}
	return best, k
}

// maxPool2x2 is MaxPoolForward for a geometry with is2x2: the whole image
// in one call where the CPU has AVX-512, else one output row at a time
// through maxPool2x2Row.
func maxPool2x2(g PoolGeom, x, y []float32, arg []int32) {
	if maxPool2x2Image(g, x, y, arg) {
		return
	}
	w, hw, ohw := g.W, g.H*g.W, g.OH*g.OW
	for c := 0; c < g.C; c++ {
		plane := x[c*hw : (c+1)*hw]
		yp, ap := y[c*ohw:(c+1)*ohw], arg[c*ohw:(c+1)*ohw]
		for oy := 0; oy < g.OH; oy++ {
			r0 := plane[2*oy*w : 2*oy*w+2*g.OW]
			r1 := plane[(2*oy+1)*w : (2*oy+1)*w+2*g.OW]
			maxPool2x2Row(r0, r1, yp[oy*g.OW:(oy+1)*g.OW], ap[oy*g.OW:(oy+1)*g.OW], 2*oy*w, w)
		}
	}
}

// maxPool2x2RowGo pools the row pair r0, r1 (each 2·len(y) long) into y,
// with arg the index base + i·w + j, within the plane of rows w wide, of each
// window's maximum at row i, column j of the pair.
func maxPool2x2RowGo(r0, r1, y []float32, arg []int32, base, w int) {
	r0, r1, arg = r0[:2*len(y)], r1[:2*len(y)], arg[:len(y)]
	for ox := range y {
		m, k := max4(r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1])
		y[ox] = m
		arg[ox] = int32(base + (k>>1)*w + 2*ox + (k & 1))
	}
}

package kernel

import "fmt"

// Weight gradient of a stride-1 convolution with the column matrix read in
// place from the padded image, as ConvGemm reads it for the forward pass.
// With taps t = ki·KW + kj, the gradient of weight (f, c, t) over the
// pixels q = (e, oy, ox) of ne examples is
//
//	dW[f][c][t] = Σ_q xp_e[c·Hp·Wp + (oy + ki·DH)·Wp + ox + kj·DW] · dOut_e[f][oy·OW + ox]
//
// Computed as dWᵀ (C·KH·KW × F) = col · dOutᵀ, the GEMM's A operand is the
// column matrix, and 8 of its rows that share a tap and differ in channel
// are 8 pixels Hp·Wp apart in the padded image: the micro-kernel
// broadcasts them from there, one value further each step, skipping the
// Wp-OW padding columns at each row's end. Only B, dOutᵀ, is packed
// (PackConvWgradB): nothing is gathered into a column matrix first, as
// ConvIm2col does for Sgemm. On the large layers of the speed issue that
// gather and the column matrix's trips through L2 took some 6% of the
// forward and backward passes.

// convWgradPanel is the width of a packed panel of B: the micro-kernel's
// 32 columns (filters).
const convWgradPanel = 32

// ConvWgradBLen is the length of the packed B for nf filters and k pixels:
// ceil(nf/32) panels of k rows of 32 values.
func ConvWgradBLen(nf, k int) int { return ceilDiv(nf, convWgradPanel) * k * convWgradPanel }

// PackConvWgradB writes pixels [0, n) of the output gradient d (nf rows,
// ldd apart) into rows [k0, k0+n) of the packed B bp, which has k rows in
// all: bp[(j·k + k0 + p)·32 + l] = d[(32·j + l)·ldd + p], and 0 for filters
// 32·j + l ≥ nf. Several examples go side by side in one bp through k0.
func PackConvWgradB(nf, n int, d []float32, ldd int, bp []float32, k0, k int) {
	if nf <= 0 || n <= 0 {
		return
	}
	if k0 < 0 || k0+n > k || ldd < n || len(d) < (nf-1)*ldd+n || len(bp) < ConvWgradBLen(nf, k) {
		panic(fmt.Sprintf("kernel: PackConvWgradB: pixels [%d, %d) of %d, ldd %d, d %d, bp %d", k0, k0+n, k, ldd, len(d), len(bp)))
	}
	for j := 0; j*convWgradPanel < nf; j++ {
		cols := min(convWgradPanel, nf-j*convWgradPanel)
		panel := bp[(j*k+k0)*convWgradPanel:][:n*convWgradPanel]
		packCols(n, cols, d[j*convWgradPanel*ldd:], ldd, panel, convWgradPanel)
		if cols < convWgradPanel {
			for p := 0; p < n; p++ {
				clear(panel[p*convWgradPanel+cols : (p+1)*convWgradPanel])
			}
		}
	}
}

// ConvWgradImage computes, for every channel c < g.C (a multiple of 8),
// tap t and filter f < nf, the sum over ne padded images xp (g.C planes of
// Hp×Wp each, images estr values apart) and output rows [y0, y0+rows):
//
//	s = Σ_{e, y, x<OW} xp[e·estr + c·Hp·Wp + (y0 + y + ki·DH)·Wp + x + kj·DW] · bp[(j·k + (e·rows + y)·OW + x)·32 + f%32]
//
// with j = f/32 and k = ne·rows·OW, the packed output gradient of those
// pixels (PackConvWgradB). It adds s to dWT[(c·KH·KW + t)·ldw + f], or
// stores it there when overwrite is set: dWT is the transposed weight
// gradient (C·KH·KW × nf) in ConvOffsets' row order.
func ConvWgradImage(g ConvGeom, nf int, xp []float32, estr, ne, y0, rows int, bp []float32, overwrite bool, dWT []float32, ldw int) {
	if g.SH != 1 || g.SW != 1 || g.C%8 != 0 {
		panic("kernel: ConvWgradImage: stride is not 1 or the channels are not a multiple of 8")
	}
	hp, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	kk := g.ColRows()
	if nf <= 0 || ne <= 0 || rows <= 0 || g.C == 0 {
		return
	}
	k := ne * rows * ow
	if y0 < 0 || y0+rows > oh || (ne > 1 && estr < g.C*hp*wp) {
		panic(fmt.Sprintf("kernel: ConvWgradImage: rows [%d, %d) of %d, %d images %d apart", y0, y0+rows, oh, ne, estr))
	}
	if len(xp) < (ne-1)*estr+g.C*hp*wp || len(bp) < ConvWgradBLen(nf, k) || ldw < nf || len(dWT) < (kk-1)*ldw+nf {
		panic(fmt.Sprintf("kernel: ConvWgradImage: buffers too short (xp %d, bp %d, dWT %d)", len(xp), len(bp), len(dWT)))
	}
	khw := g.KH * g.KW
	for j := 0; j*convWgradPanel < nf; j++ {
		cols := min(convWgradPanel, nf-j*convWgradPanel)
		panel := bp[j*k*convWgradPanel:][:k*convWgradPanel]
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				a := xp[(y0+ki*g.DH)*wp+kj*g.DW:]
				c := dWT[(ki*g.KW+kj)*ldw+j*convWgradPanel:]
				convWgradImageTiles(g.C, cols, ne, rows, ow, a, hp*wp, estr, wp, panel, c, khw*ldw, overwrite)
			}
		}
	}
}

// convWgradImageGo is the reference of the micro-kernel: for i < m
// (channels, a multiple of 8) and j < n (filters, at most 32),
//
//	s = Σ_{e<ne, y<rows, x<ow} a[i·plane + e·estr + y·wp + x] · b[((e·rows + y)·ow + x)·32 + j]
//
// is stored in or added to c[i·ldc + j].
func convWgradImageGo(m, n, ne, rows, ow int, a []float32, plane, estr, wp int, b, c []float32, ldc int, overwrite bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			p := 0
			for e := 0; e < ne; e++ {
				for y := 0; y < rows; y++ {
					row := a[i*plane+e*estr+y*wp:][:ow]
					for _, v := range row {
						s += v * b[p*convWgradPanel+j]
						p++
					}
				}
			}
			if overwrite {
				c[i*ldc+j] = s
			} else {
				c[i*ldc+j] += s
			}
		}
	}
}

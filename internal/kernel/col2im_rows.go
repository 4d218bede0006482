package kernel

import "fmt"

// Col2imAdd is the adjoint of ConvIm2col over a whole image: it adds each
// row of col, the column matrix of the stride-1 convolution g (C·KH·KW
// rows of OH·OW pixels, ld apart), back into the zero-padded image dxp
// (C, Hp, Wp) it was read from, with off = ConvOffsets(g):
//
//	dxp[off[r] + oy·Wp + ox] += col[r·ld + oy·OW + ox]
//
// Unlike Col2imShifted, the rows of col are OW wide, not Wp: the product
// that writes col computes no columns past OW, and in exchange each row of
// col is OH runs here instead of one. It is the reference of
// NewRowsCol2im's Set, which sums each vector of dxp in registers: adding
// run by run, each load waits on the store of an overlapping run just
// before it (about 4.5 µs on LeNet-5's second layer, against 1.3 µs).
func Col2imAdd(g ConvGeom, off []int32, col []float32, ld int, dxp []float32) {
	hp, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	k := g.ColRows()
	if g.SH != 1 || g.SW != 1 || len(off) != k {
		panic("kernel: Col2imAdd: stride is not 1 or off is not ConvOffsets(g)")
	}
	if oh <= 0 || ow <= 0 || k == 0 {
		return
	}
	checkConvOffsets(off)
	if ld < oh*ow || len(col) < (k-1)*ld+oh*ow || len(dxp) < g.C*hp*wp || int(off[k-1])+(oh-1)*wp+ow > g.C*hp*wp {
		panic(fmt.Sprintf("kernel: Col2imAdd: col (%d, ld %d) or dxp (%d) too short for %d rows of %d×%d", len(col), ld, len(dxp), k, oh, ow))
	}
	for r, o := range off {
		src := col[r*ld:]
		for oy := 0; oy < oh; oy++ {
			dst := dxp[int(o)+oy*wp:][:ow]
			for ox, v := range src[oy*ow : (oy+1)*ow] {
				dst[ox] += v
			}
		}
	}
}

package kernel

// col2imRowsGo adds each row of col, the column matrix of the stride-1
// convolution g (C·KH·KW rows of OH·OW pixels, ld apart), back into the
// zero-padded image dxp (C, Hp, ws rows ws apart, ws >= Wp) it was read
// from:
//
//	dxp[c·Hp·ws + (oy + ki·DH)·ws + ox + kj·DW] += col[r·ld + oy·OW + ox],   r = (c·KH + ki)·KW + kj
//
// row by row of col, each of a pixel's terms in tap order, as Col2im. It is
// the reference of NewRowsCol2im's Set, which sums each vector of dxp in
// registers instead: adding run by run, each load waits on the store of
// an overlapping run just before it (4.5 µs an image on LeNet-5's second
// layer in assembly, against 1.3 for the shifted Set).
func col2imRowsGo(g ConvGeom, ws int, col []float32, ld int, dxp []float32) {
	hp, _ := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	r := 0
	for c := 0; c < g.C; c++ {
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				src := col[r*ld:]
				r++
				for oy := 0; oy < oh; oy++ {
					dst := dxp[c*hp*ws+(oy+ki*g.DH)*ws+kj*g.DW:][:ow]
					for ox, v := range src[oy*ow : (oy+1)*ow] {
						dst[ox] += v
					}
				}
			}
		}
	}
}

package nn

import "github.com/convnet/convnet/internal/kernel"

// The input gradient through the column matrix at the output's width
// (kernel.NewRowsCol2im), for layers on the implicit forward path whose
// input gradient is not an implicit product (implicitInputGrad) and whose
// output rows are much narrower than the padded image's:
//
//	dcol (C/G·KH·KW × OH·OW) = W_gᵀ (C/G·KH·KW × F/G) · dOut_g (F/G × OH·OW)
//
// then dcol's rows are summed back onto the (padded) image, each 16-value
// vector of it in registers, on rows at least 16 apart so that no run of
// a row of dcol lands on two vectors. The shifted path computes the same
// product on rows Wp wide, Wp-OW columns of zeros each, and copies dOut
// into that layout first; on LeNet-5's second layer as `convnet train`
// builds it (6×14×14 → 16 filters 5×5, OW 10 of Wp 14) its product is 36%
// larger.

// columnsInputGrad reports whether the input gradient takes this path: off
// the implicit product, where the shifted path would compute more than a
// quarter more columns than there are output pixels.
func (l *Conv2D) columnsInputGrad() bool {
	_, wp := l.geom.Padded()
	ow := l.geom.OutW()
	return l.implicitForward() && !l.implicitInputGrad() && 4*(wp-ow) > ow && columnsInputGradEnabled
}

// planColumnsCol2im makes l.col2im fit the layer's geometry, before
// the workers of a backward pass share it.
func (l *Conv2D) planColumnsCol2im() {
	g := l.geom
	if npix := g.OutH() * g.OutW(); !l.col2im.Plans(g, npix, true) {
		l.col2im = kernel.NewRowsCol2im(g, npix)
	}
}

// columnsInputGradEnabled is false only in tests, to run the shifted path
// on shapes that would take this one.
var columnsInputGradEnabled = true

// inputGradColumns writes the input gradients of examples [lo, hi) into dx.
func (l *Conv2D) inputGradColumns(dOut, dx []float32, wk *convWork, lo, hi int) {
	g := l.geom
	hp, _ := g.Padded()
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), g.OutH()*g.OutW()
	plane := g.C * g.H * g.W
	ws := l.col2im.RowStride()
	// Set writes planes Hp × ws: straight into dx when that is dx's
	// layout, else into wk.dxPad and its interior copied out.
	inPlace := hp*ws == g.H*g.W
	wk.dcol = grow(wk.dcol, kk*npix)
	if !inPlace {
		wk.dxPad = grow(wk.dxPad, g.C*hp*ws)
	}
	for s := lo; s < hi; s++ {
		for gi := 0; gi < l.Groups; gi++ {
			d := dOut[(s*l.Filters+gi*fg)*npix:][:fg*npix]
			w := l.W.Value.Data[gi*fg*kk : (gi+1)*fg*kk]
			kernel.Sgemm(true, false, kk, npix, fg, 1, w, kk, d, npix, 0, wk.dcol, npix)
			dxs := dx[(s*l.Groups+gi)*plane:][:plane]
			if inPlace {
				l.col2im.Set(wk.dcol, dxs)
				continue
			}
			l.col2im.Set(wk.dcol, wk.dxPad)
			kernel.CopyPlanes(dxs, g.W, g.H*g.W, wk.dxPad[g.PadT*ws+g.PadL:], ws, hp*ws, g.C, g.H, g.W)
		}
	}
}

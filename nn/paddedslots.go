package nn

import "github.com/convnet/convnet/internal/kernel"

// paddedSlots holds images padded side by side, each in a slot of C planes
// Hp×Wp and, with ones, a plane of ones after them (the bias row of a
// forward product). The borders stay zero between calls with the same
// geometry, so each call writes only the images' interiors; the buffer
// only grows, so a smaller last batch does not make the next full one
// allocate again.
type paddedSlots struct {
	xp   []float32
	g    kernel.ConvGeom // the geometry whose borders are zero in xp
	ones bool
}

// layout returns where images of g (each g.C planes H×W, estr values apart
// in x) are read from: the slots, sized for n images, and their stride,
// with pad set so that the caller fills them (kernel.PadImage into
// xp[e·xstr:]); or x itself and estr when g has no padding and no plane of
// ones is wanted.
func (p *paddedSlots) layout(g kernel.ConvGeom, x []float32, estr, n int, ones bool) (xp []float32, xstr int, pad bool) {
	hp, wp := g.Padded()
	if hp*wp == g.H*g.W && !ones {
		return x, estr, false
	}
	xp, xstr = p.slots(g, n, ones)
	return xp, xstr, true
}

// slots returns n slots for images of g, always copies (with no padding,
// a slot is a plain copy of the image), and their stride.
func (p *paddedSlots) slots(g kernel.ConvGeom, n int, ones bool) (xp []float32, xstr int) {
	hp, wp := g.Padded()
	slot := g.C * hp * wp
	if ones {
		slot += hp * wp
	}
	if len(p.xp) < n*slot || p.g != g || p.ones != ones {
		p.xp = make([]float32, n*slot)
		p.g, p.ones = g, ones
		if ones {
			for e := 0; e < n; e++ {
				setAll(p.xp[e*slot+g.C*hp*wp:][:hp*wp], 1)
			}
		}
	}
	return p.xp, slot
}

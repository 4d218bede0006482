package nn

import "github.com/convnet/convnet/internal/kernel"

// Shared tail panels. The micro-kernel computes 32 pixels of the output a
// panel, or 16 in its narrow form; an image of 14×14 = 196 pixels leaves 4
// past its 6 full panels, and those 4 took a narrow panel of their own,
// three quarters zeros: on 8×256×14×14 the narrow kernel took 7.6% of the
// forward and backward pass for 2% of its products. On the implicit path,
// when an image's pixel count leaves at most 8 over a multiple of 32, the
// full panels of each example are computed from its padded copy, and the
// last few pixels of up to 32/tail examples padded side by side are one
// product (kernel.ConvGemmImages), whose output is then copied to each
// example's place.
//
// The full panels are handed out through l.steal in units of tailBlock
// columns of one example, so the threads end together: with whole
// examples as units and a static split, the first thread to finish waited
// for the other 6.6% of 8×256×14×14's forward pass at 2 threads (7.2% of
// its backward pass), in minutes when one core ran slower than the other.
// A worker pads each example it takes a unit of; the worker that takes an
// example's last block keeps its padded copy for the shared tail product.
// Every output value is the same sum in the same order whichever worker
// computes it, so the bits are those of the static split.

// tailPixels returns the pixels past the last full panel of an image of
// npix pixels, and how many images share one panel for them; 0, 0 when
// sharing is not worth it: no full panel, no tail, or a tail above 8,
// which fills half the narrow panel or more.
func tailPixels(npix int) (tail, images int) {
	tail = npix % 32
	if npix < 32 || tail == 0 || tail > 8 {
		return 0, 0
	}
	return tail, 32 / tail
}

// tailBlock is the columns of the output (one micro-kernel panel) a unit
// of the shared-tail paths computes. On 256×14×14 → 256, ConvGemmCols over
// the 192 full columns in blocks of 32, 64 or 96 ran at 0.98-1.01 of one
// call over all of them, so the finest block costs nothing.
const tailBlock = 32

// tailUnits is the number of units of an image of npix output pixels on
// the shared-tail path: its full panels in blocks of tailBlock columns.
func tailUnits(npix int) int {
	tail, _ := tailPixels(npix)
	return (npix - tail + tailBlock - 1) / tailBlock
}

// tailPass is one product of a shared-tail path over a batch: for each
// example s and group gi, C (m × OH·OW, rows ldc apart) at
// c[s·cstr + gi·m·ldc:] = W_gi (m × len(off), rows ldw apart, at
// w[gi·m·ldw:]) times the column matrix of the image x[s·estr + gi·plane:]
// (g.C planes H×W) padded for g, with a plane of ones after it if ones.
type tailPass struct {
	g          kernel.ConvGeom
	groups     int
	x          []float32
	estr       int
	ones       bool
	m          int
	w          []float32
	ldw        int
	off        []int32
	c          []float32
	cstr, ldc  int
	units      unitSource
	tail, full int // pixels past the full panels, and before them
	per        int // units per example, tailUnits
}

// unitSource hands out the units of a parallel pass to worker w: l.steal,
// or a scripted order in tests.
type unitSource interface {
	next(w int) (int, bool)
}

// tailImages is a worker's scratch for tailPass: slots for up to 32/tail
// padded examples, each with all its groups, and the shared product.
type tailImages struct {
	paddedSlots
	ex  []int     // the examples whose tails wait in slots [0, len(ex))
	out []float32 // the shared product, (m, len(ex)·tail)
}

// run computes the units worker id takes from p.units: unit u is columns
// [b·tailBlock, (b+1)·tailBlock) of example u/p.per's full panels, b =
// u mod p.per, for every group; then the tails of the examples whose last
// block it took.
func (t *tailImages) run(p *tailPass, id int) {
	g := p.g
	_, images := tailPixels(p.full + p.tail)
	images = min(images, len(p.x)/p.estr) // no more slots than the batch has examples
	plane := g.C * g.H * g.W
	xp, slot := t.slots(g, images*p.groups, p.ones)
	t.ex = t.ex[:0]
	cur, curSlot := -1, 0 // the example padded in slot curSlot
	for u, ok := p.units.next(id); ok; u, ok = p.units.next(id) {
		s, b := u/p.per, u%p.per
		if s != cur {
			curSlot = len(t.ex) // the slot after the kept ones, or cur's if not kept
			if curSlot == images {
				t.tails(p, xp, slot)
				curSlot = 0
			}
			for gi := 0; gi < p.groups; gi++ {
				kernel.PadImage(g, p.x[s*p.estr+gi*plane:][:plane], xp[(curSlot*p.groups+gi)*slot:])
			}
			cur = s
		}
		j0 := b * tailBlock
		n := min(tailBlock, p.full-j0)
		for gi := 0; gi < p.groups; gi++ {
			kernel.ConvGemmCols(g, p.m, p.w[gi*p.m*p.ldw:], p.ldw, xp[(curSlot*p.groups+gi)*slot:], p.off, j0, n, 0,
				p.c[s*p.cstr+gi*p.m*p.ldc+j0:], p.ldc)
		}
		if b == p.per-1 { // each unit comes once: s's tail now waits in its slot
			t.ex = append(t.ex, s)
		}
	}
	if len(t.ex) > 0 {
		t.tails(p, xp, slot)
	}
}

// tails computes the tail pixels of the examples kept in slots
// [0, len(t.ex)), one product per group, copies them to their places and
// frees the slots.
func (t *tailImages) tails(p *tailPass, xp []float32, slot int) {
	cnt := len(t.ex)
	t.out = grow(t.out, p.m*cnt*p.tail)
	for gi := 0; gi < p.groups; gi++ {
		kernel.ConvGemmImages(p.g, p.m, p.w[gi*p.m*p.ldw:], p.ldw, xp[gi*slot:], p.groups*slot, cnt, p.off,
			p.full, p.tail, t.out, cnt*p.tail)
		for i := 0; i < p.m; i++ {
			row := t.out[i*cnt*p.tail:]
			for e, s := range t.ex {
				copy(p.c[s*p.cstr+gi*p.m*p.ldc+i*p.ldc+p.full:][:p.tail], row[e*p.tail:(e+1)*p.tail])
			}
		}
	}
	t.ex = t.ex[:0]
}

// forwardTailsOn reports whether forwardImplicit takes the shared-tail
// path; its units are then tailUnits per example.
func (l *Conv2D) forwardTailsOn(parts int) bool {
	tail, _ := tailPixels(l.geom.OutH() * l.geom.OutW())
	return tail > 0 && parts == 1 && tailsEnabled && !l.wideForward() && !l.winogradForward()
}

// inputGradTailsOn reports whether inputGradImplicit takes the shared-tail
// path; its units are then tailUnits per example.
func (l *Conv2D) inputGradTailsOn(parts int) bool {
	g := l.geom
	tail, _ := tailPixels(g.H * g.W)
	return tail > 0 && parts == 1 && tailsEnabled && !l.columnsInputGrad() && l.implicitInputGrad()
}

// forwardTails is forwardImplicit's gather path (not wide) with shared
// tail panels, on the units worker wk takes from units (l.steal).
func (l *Conv2D) forwardTails(x, out []float32, wk *convWork, units unitSource) {
	g := l.geom
	fg, kk, npix := l.Filters/l.Groups, g.ColRows(), g.OutH()*g.OutW()
	tail, _ := tailPixels(npix)
	p := &wk.tailPass
	*p = tailPass{g: g, groups: l.Groups, x: x, estr: l.Groups * g.C * g.H * g.W, ones: l.B != nil,
		m: fg, w: l.W.Value.Data, ldw: kk, off: l.off, c: out, cstr: l.Filters * npix, ldc: npix,
		units: units, tail: tail, full: npix - tail, per: tailUnits(npix)}
	if l.B != nil {
		p.w, p.ldw, p.off = l.wBias, kk+1, l.offBias
	}
	wk.tails.run(p, wk.id)
}

// inputGradTails is inputGradImplicit with shared tail panels, on the
// units worker wk takes from units (l.steal):
// dx_g (C/G × H·W) = W'_g (C/G × F/G·KH·KW) · col'.
func (l *Conv2D) inputGradTails(dOut, dx []float32, wk *convWork, units unitSource) {
	g, gg := l.geom, l.gradGeom()
	npix := g.H * g.W
	tail, _ := tailPixels(npix)
	p := &wk.tailPass
	*p = tailPass{g: gg, groups: l.Groups, x: dOut, estr: l.Filters * g.OutH() * g.OutW(),
		m: g.C, w: l.wFlip, ldw: gg.ColRows(), off: l.offGrad, c: dx, cstr: l.Groups * g.C * npix, ldc: npix,
		units: units, tail: tail, full: npix - tail, per: tailUnits(npix)}
	wk.gradTails.run(p, wk.id)
}

// tailsEnabled is false only in tests, to run the products image by image.
var tailsEnabled = true

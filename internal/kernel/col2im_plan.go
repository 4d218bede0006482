package kernel

import "fmt"

// A Col2imPlan is a col2im into a zeroed image, worked out once for a
// geometry and a column stride and computed output vector by output
// vector: NewShiftedCol2im plans Col2imShifted's, NewRowsCol2im Col2im's
// for the column matrix at the output's width. Col2imShifted adds the KH·KW rows of a channel into the plane one after
// another, each a run of ShiftedCols values shifted by its tap: every value
// of the plane is loaded and stored once per tap, and each run partly
// overlaps the one just stored (one value further), which costs the loads
// a store-forwarding stall. Summed the other way round, each 16-value vector
// of the plane is the sum of the parts of the rows that land on it:
//
//	dxp[c·Hp·Wp + p] = Σ_{r, j = p - s_r, 0 <= j < n} col[(c·KH·KW + r)·ld + j],   s_r = ki·DH·Wp + kj·DW
//
// so it is loaded never and stored once. Which rows land on which vector,
// and on which lanes, depends on the geometry only; NewShiftedCol2im lists
// them as (offset, lane mask) terms. On LeNet-5's second layer (6 channels
// of 12×12, 5×5 taps) Col2imShifted took about 7% of a training step.
// The rows of the column matrix at the output's width land on the plane
// as runs of OW, summed the same way.
type Col2imPlan struct {
	g      ConvGeom
	ld     int
	rows   bool    // col is the column matrix OW wide (NewRowsCol2im)
	ws     int     // the row stride of dxp: Wp, or with rows up to 16
	starts []int32 // the terms of vector v are terms[2·starts[v] : 2·starts[v+1]]
	terms  []int32 // pairs: offset from the channel's first row of col, lane mask
}

// col2imRun is a run of one row of col, as it lands on a plane: n values
// from col's offset off (from the channel's first row) onto the plane from
// start.
type col2imRun struct{ off, start, n int }

// NewShiftedCol2im plans Set for geometry g (stride 1, as Im2colShifted)
// and columns ld apart.
func NewShiftedCol2im(g ConvGeom, ld int) *Col2imPlan {
	_, wp := g.Padded()
	n := g.ShiftedCols()
	if g.SH != 1 || g.SW != 1 || ld < n {
		panic(fmt.Sprintf("kernel: NewShiftedCol2im: stride %d×%d, ld %d < %d columns", g.SH, g.SW, ld, n))
	}
	var runs []col2imRun
	r := 0
	for ki := 0; ki < g.KH; ki++ {
		for kj := 0; kj < g.KW; kj++ {
			runs = append(runs, col2imRun{r * ld, ki*g.DH*wp + kj*g.DW, n})
			r++
		}
	}
	return planCol2im(g, ld, false, wp, runs)
}

// NewRowsCol2im plans Set for the column matrix of ConvIm2col (stride 1),
// rows of OH·OW pixels ld apart, instead of the shifted one: each row
// lands on the plane as OH runs of OW. Set then writes Col2im into the
// padded image, border included, on rows ws apart (RowStride):
//
//	dxp[c·Hp·ws + (oy + ki·DH)·ws + ox + kj·DW] = Σ col[(c·KH·KW + ki·KW + kj)·ld + oy·OW + ox]
//
// ws is 16 where Wp is less, so that each row of the plane is one vector
// and no run is split over two: on LeNet-5's second layer (Wp 14, runs of
// 10) that is 1500 terms an image instead of about 2400, and Set takes 1.1
// µs instead of 1.9. Otherwise ws is Wp.
func NewRowsCol2im(g ConvGeom, ld int) *Col2imPlan {
	_, wp := g.Padded()
	oh, ow := g.OutH(), g.OutW()
	if g.SH != 1 || g.SW != 1 || ld < oh*ow {
		panic(fmt.Sprintf("kernel: NewRowsCol2im: stride %d×%d, ld %d < %d columns", g.SH, g.SW, ld, oh*ow))
	}
	ws := wp
	if wp < 16 {
		ws = 16
	}
	var runs []col2imRun
	r := 0
	for ki := 0; ki < g.KH; ki++ {
		for kj := 0; kj < g.KW; kj++ {
			for oy := 0; oy < oh; oy++ {
				runs = append(runs, col2imRun{r*ld + oy*ow, (oy+ki*g.DH)*ws + kj*g.DW, ow})
			}
			r++
		}
	}
	return planCol2im(g, ld, true, ws, runs)
}

// planCol2im lists, for each 16-value vector of a plane, the parts of the
// runs that land on it, in the runs' order, which is the order of the
// rows of col: a lane's sum adds its terms as Col2im would.
func planCol2im(g ConvGeom, ld int, rows bool, ws int, runs []col2imRun) *Col2imPlan {
	hp, _ := g.Padded()
	plane := hp * ws
	p := &Col2imPlan{g: g, ld: ld, rows: rows, ws: ws}
	for p0 := 0; p0 < plane; p0 += 16 {
		p.starts = append(p.starts, int32(len(p.terms)/2))
		for _, run := range runs {
			j := p0 - run.start // the run's value in lane 0
			lo, hi := max(0, -j), min(16, run.n-j, plane-p0)
			if hi > lo {
				mask := (1<<hi - 1) &^ (1<<lo - 1)
				p.terms = append(p.terms, int32(run.off+j), int32(mask))
			}
		}
	}
	p.starts = append(p.starts, int32(len(p.terms)/2))
	return p
}

// Plans reports whether p was planned by NewShiftedCol2im, or with rows by
// NewRowsCol2im, for geometry g and stride ld; a nil p plans nothing.
func (p *Col2imPlan) Plans(g ConvGeom, ld int, rows bool) bool {
	return p != nil && p.g == g && p.ld == ld && p.rows == rows
}

// RowStride is the distance between the rows of the planes Set writes: Wp,
// or on a plan of NewRowsCol2im, 16 where Wp is less.
func (p *Col2imPlan) RowStride() int { return p.ws }

// cols is the length of a row of col.
func (p *Col2imPlan) cols() int {
	if p.rows {
		return p.g.OutH() * p.g.OutW()
	}
	return p.g.ShiftedCols()
}

// Set overwrites dxp (C, Hp, RowStride()) with the adjoint of
// Im2colShifted (or with rows, of ConvIm2col) applied to col (C·KH·KW rows
// of ShiftedCols values, or OH·OW, ld apart): what Col2imShifted (or
// Col2im) adds into a zeroed dxp, border included.
func (p *Col2imPlan) Set(col, dxp []float32) {
	g := p.g
	hp, _ := g.Padded()
	rows := g.C * g.KH * g.KW
	if len(col) < (rows-1)*p.ld+p.cols() || len(dxp) < g.C*hp*p.ws {
		panic(fmt.Sprintf("kernel: Col2imPlan.Set: col %d, dxp %d for %d rows %d apart and %d planes of %d", len(col), len(dxp), rows, p.ld, g.C, hp*p.ws))
	}
	col2imSet(p, col, dxp[:g.C*hp*p.ws])
}

// col2imSetGo is Set by Col2imShifted or, with rows, by col2imRowsGo,
// the references.
func col2imSetGo(p *Col2imPlan, col, dxp []float32) {
	clear(dxp)
	if p.rows {
		col2imRowsGo(p.g, p.ws, col, p.ld, dxp)
		return
	}
	Col2imShifted(p.g, col, p.ld, dxp)
}

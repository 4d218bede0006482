package kernel

import "fmt"

// ShiftedCol2im is Col2imShifted into a zeroed image, worked out once for a
// geometry and a column stride and computed output vector by output vector.
// Col2imShifted adds the KH·KW rows of a channel into the plane one after
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
type ShiftedCol2im struct {
	g      ConvGeom
	ld     int
	starts []int32 // the terms of vector v are terms[2·starts[v] : 2·starts[v+1]]
	terms  []int32 // pairs: offset from the channel's first row of col, lane mask
}

// NewShiftedCol2im plans Set for geometry g (stride 1, as Im2colShifted)
// and columns ld apart.
func NewShiftedCol2im(g ConvGeom, ld int) *ShiftedCol2im {
	hp, wp := g.Padded()
	n, plane := g.ShiftedCols(), hp*wp
	if g.SH != 1 || g.SW != 1 || ld < n {
		panic(fmt.Sprintf("kernel: NewShiftedCol2im: stride %d×%d, ld %d < %d columns", g.SH, g.SW, ld, n))
	}
	p := &ShiftedCol2im{g: g, ld: ld}
	for p0 := 0; p0 < plane; p0 += 16 {
		p.starts = append(p.starts, int32(len(p.terms)/2))
		r := 0
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				j := p0 - (ki*g.DH*wp + kj*g.DW) // column of row r in lane 0
				lo, hi := max(0, -j), min(16, n-j, plane-p0)
				if hi > lo {
					mask := (1<<hi - 1) &^ (1<<lo - 1)
					p.terms = append(p.terms, int32(r*ld+j), int32(mask))
				}
				r++
			}
		}
	}
	p.starts = append(p.starts, int32(len(p.terms)/2))
	return p
}

// Plans reports whether p was planned for geometry g and stride ld; a nil
// p plans nothing.
func (p *ShiftedCol2im) Plans(g ConvGeom, ld int) bool { return p != nil && p.g == g && p.ld == ld }

// Set overwrites dxp (C,Hp,Wp) with the adjoint of Im2colShifted applied to
// col (C·KH·KW rows of ShiftedCols values, ld apart): what Col2imShifted
// adds into a zeroed dxp, border included.
func (p *ShiftedCol2im) Set(col, dxp []float32) {
	g := p.g
	hp, wp := g.Padded()
	rows := g.C * g.KH * g.KW
	if len(col) < (rows-1)*p.ld+g.ShiftedCols() || len(dxp) < g.C*hp*wp {
		panic(fmt.Sprintf("kernel: ShiftedCol2im.Set: col %d, dxp %d for %d rows %d apart and %d planes of %d", len(col), len(dxp), rows, p.ld, g.C, hp*wp))
	}
	shiftedCol2im(p, col, dxp[:g.C*hp*wp])
}

// shiftedCol2imGo is Set by Col2imShifted, the reference.
func shiftedCol2imGo(p *ShiftedCol2im, col, dxp []float32) {
	clear(dxp)
	Col2imShifted(p.g, col, p.ld, dxp)
}

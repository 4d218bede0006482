//go:build amd64 && !noasm

package kernel

func col2imSet(p *Col2imPlan, col, dxp []float32) {
	if !hasAVX512 {
		col2imSetGo(p, col, dxp)
		return
	}
	hp, _ := p.g.Padded()
	plane := hp * p.ws
	last := uint16(0xffff)
	if plane%16 != 0 {
		last = uint16(1)<<(plane%16) - 1
	}
	col2imSetAVX512(&col[0], 4*p.g.KH*p.g.KW*p.ld, &dxp[0], 4*plane, p.g.C, &p.starts[0], &p.terms[0], len(p.starts)-1, last)
}

// col2imSetAVX512 runs Set over channels planes (plane bytes apart in
// dxp, their rows of col colStride bytes apart): each of the nvec vectors
// of a plane sums its terms with masked adds, whose masked-off lanes read
// nothing, and is stored whole, the last one under lastMask.
//
//go:noescape
func col2imSetAVX512(col *float32, colStride int, dxp *float32, plane, channels int, starts, terms *int32, nvec int, lastMask uint16)

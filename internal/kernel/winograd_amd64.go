//go:build amd64 && !noasm

package kernel

func winogradFast() bool { return hasAVX512 }

// winogradBlock is winogradBlockGo through the AVX-512 kernel. The caller
// (WinogradConv3) has checked that the block's reads and writes lie inside
// xp and out.
func winogradBlock(xp []float32, ldx, cs int, u []float32, f int, out []float32, ldo, plane int, v []float32) {
	if !hasAVX512 {
		winogradBlockGo(xp, ldx, cs, u, f, out, ldo, plane, v)
		return
	}
	_ = xp[2*cs+3*ldx+33]
	_ = out[(f-1)*plane+ldo+31]
	_ = u[f*WinogradStride-1]
	_ = v[WinogradScratch-1]
	winogradBlockAVX512(&xp[0], ldx, cs, &u[0], f/2, &out[0], ldo, plane, &v[0])
}

// winogradBlockAVX512 is winogradBlockGo for f = 2·pairs filters.
//
//go:noescape
func winogradBlockAVX512(xp *float32, ldx, cs int, u *float32, pairs int, out *float32, ldo, plane int, v *float32)

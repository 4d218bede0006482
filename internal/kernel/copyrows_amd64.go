//go:build amd64 && !noasm

package kernel

func copyPlanes(dst []float32, ldd, dp int, src []float32, lds, sp, planes, rows, cols int) {
	if !hasAVX512 {
		copyPlanesGo(dst, ldd, dp, src, lds, sp, planes, rows, cols)
		return
	}
	copyPlanesAVX512(&dst[0], 4*ldd, 4*dp, &src[0], 4*lds, 4*sp, planes, rows, cols/16, uint16(1)<<(cols%16)-1)
}

// copyPlanesAVX512 copies each row as vecs zmm moves of 16 values and one
// masked move of the rest (lanes in mask), which touches no memory past
// the row; rows of exactly 8 values go through ymm moves, unmasked. The
// strides are in bytes. The caller has checked the bounds.
//
//go:noescape
func copyPlanesAVX512(dst *float32, ldd, dp int, src *float32, lds, sp, planes, rows, vecs int, mask uint16)

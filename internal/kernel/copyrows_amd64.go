//go:build amd64 && !noasm

package kernel

func copyRows(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	if !hasAVX512 {
		copyRowsGo(dst, ldd, src, lds, rows, cols)
		return
	}
	copyRowsAVX512(&dst[0], ldd, &src[0], lds, rows, cols/16, uint16(1)<<(cols%16)-1)
}

// copyRowsAVX512 copies each row as vecs zmm moves of 16 values and one
// masked move of the rest (lanes in mask), which touches no memory past
// the row. The caller has checked the bounds.
//
//go:noescape
func copyRowsAVX512(dst *float32, ldd int, src *float32, lds, rows, vecs int, mask uint16)

//go:build amd64 && !noasm

package kernel

func reverse9(dst []float32, ldd int, src []float32, n int) {
	if !hasAVX512 {
		reverse9Go(dst, ldd, src, n)
		return
	}
	reverse9AVX512(&dst[0], ldd, &src[0], n)
}

// reverse9AVX512 moves each run with a masked load of its 9 values, one
// VPERMPS that reverses them and a masked store: no access past the run.
// The caller has checked the bounds.
//
//go:noescape
func reverse9AVX512(dst *float32, ldd int, src *float32, n int)

//go:build amd64 && !noasm

package kernel

func convWgradBlock(a []float32, lda, astr int, b []float32, bstr int, off *[convWgradTaps]int, blocks, ne int, acc *[convWgradAcc]float32) {
	if !hasAVX512 {
		convWgradBlockGo(a, lda, astr, b, bstr, off, blocks, ne, acc)
		return
	}
	convWgradAVX512(&a[0], lda, astr, &b[0], bstr, off, blocks, ne, acc)
}

// ConvWgradFast reports whether ConvWgradAccumulate runs on vector
// registers here (AVX-512); without them it is the scalar reference, and
// the column matrix and Sgemm are faster.
func ConvWgradFast() bool { return hasAVX512 }

// convWgradAVX512 is convWgradBlockGo with the 24 sums in zmm registers,
// loaded from acc at the start and stored back at the end. Callers have
// checked the bounds: the loads reach a[5·lda + (ne-1)·astr + 16·blocks - 1]
// and b[(ne-1)·bstr + max(off) + 16·blocks - 1].
//
//go:noescape
func convWgradAVX512(a *float32, lda, astr int, b *float32, bstr int, off *[convWgradTaps]int, blocks, ne int, acc *[convWgradAcc]float32)

//go:build amd64 && !noasm

package kernel

func convWgradBlock(a []float32, lda, astr int, b []float32, bstr int, off *[convWgradTaps]int, px ConvWgradPixels, st *convWgradSteps, ne int, ones bool, acc *[convWgradAcc]float32) {
	switch {
	case !hasAVX512:
		convWgradBlockGo(convWgradRows, a, lda, astr, b, bstr, off, px, ne, acc[:])
	case ones:
		convWgradOnesAVX512(&a[0], lda, &b[0], off, st, ne, acc)
	default:
		convWgradAVX512(&a[0], lda, &b[0], off, st, ne, acc)
	}
}

func convWgradPair(a []float32, lda, astr int, b []float32, bstr int, off *[convWgradTaps]int, px ConvWgradPixels, st *convWgradSteps, ne int, acc *[convWgradPairAcc]float32) {
	if !hasAVX512 {
		convWgradBlockGo(convWgradPairRows, a, lda, astr, b, bstr, off, px, ne, acc[:])
		return
	}
	convWgradPairAVX512(&a[0], lda, &b[0], off, st, ne, acc)
}

// ConvWgradFast reports whether ConvWgradAccumulate runs on vector
// registers here (AVX-512); without them it is the scalar reference, and
// the column matrix and Sgemm are faster.
func ConvWgradFast() bool { return hasAVX512 }

// convWgradAVX512 is convWgradBlockGo with the 24 sums in zmm registers,
// loaded from acc at the start and stored back at the end. Callers have
// checked the bounds: the loads reach the last pixel of the last row of
// row 5 of a and of tap max(off) of b, for example ne-1.
//
//go:noescape
func convWgradAVX512(a *float32, lda int, b *float32, off *[convWgradTaps]int, st *convWgradSteps, ne int, acc *[convWgradAcc]float32)

// convWgradOnesAVX512 is convWgradAVX512 with the fourth tap known to be
// a plane of ones: it adds the rows of a to that tap's sums instead of
// loading the ones and multiplying, the same bits.
//
//go:noescape
func convWgradOnesAVX512(a *float32, lda int, b *float32, off *[convWgradTaps]int, st *convWgradSteps, ne int, acc *[convWgradAcc]float32)

// convWgradPairAVX512 is convWgradAVX512 for 2 rows of a: 8 sums, in Z0-Z7,
// 8 FMAs for 6 loads a step. The loads reach the last pixel of the last
// row of row 1 of a.
//
//go:noescape
func convWgradPairAVX512(a *float32, lda int, b *float32, off *[convWgradTaps]int, st *convWgradSteps, ne int, acc *[convWgradPairAcc]float32)

//go:build !amd64 || noasm

package kernel

func convWgradBlock(a []float32, lda, astr int, b []float32, bstr int, off *[convWgradTaps]int, px ConvWgradPixels, _ *convWgradSteps, ne int, _ bool, acc *[convWgradAcc]float32) {
	convWgradBlockGo(convWgradRows, a, lda, astr, b, bstr, off, px, ne, acc[:])
}

func convWgradPair(a []float32, lda, astr int, b []float32, bstr int, off *[convWgradTaps]int, px ConvWgradPixels, _ *convWgradSteps, ne int, acc *[convWgradPairAcc]float32) {
	convWgradBlockGo(convWgradPairRows, a, lda, astr, b, bstr, off, px, ne, acc[:])
}

// ConvWgradFast reports whether ConvWgradAccumulate runs on vector
// registers: without assembly it is the scalar reference.
func ConvWgradFast() bool { return false }

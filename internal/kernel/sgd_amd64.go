//go:build amd64 && !noasm

package kernel

func momentumStep(w, g, b []float32, lr, mu, wd float32) {
	if !hasAVX512 {
		momentumStepGo(w, g, b, lr, mu, wd)
		return
	}
	n := len(w)
	momentumStepAVX512(&w[0], &g[0], &b[0], n/16, uint16(1)<<(n%16)-1, lr, mu, wd)
}

// momentumStepAVX512 runs MomentumStep over vecs blocks of 16 values and a
// last block of the lanes in mask, which touches no memory past the end.
//
//go:noescape
func momentumStepAVX512(w, grad, b *float32, vecs int, mask uint16, lr, mu, wd float32)

func sgdStep(w, g []float32, lr, wd float32) {
	if !hasAVX512 {
		sgdStepGo(w, g, lr, wd)
		return
	}
	n := len(w)
	sgdStepAVX512(&w[0], &g[0], n/16, uint16(1)<<(n%16)-1, lr, wd)
}

func nesterovStep(w, g, b []float32, lr, mu, wd float32) {
	if !hasAVX512 {
		nesterovStepGo(w, g, b, lr, mu, wd)
		return
	}
	n := len(w)
	nesterovStepAVX512(&w[0], &g[0], &b[0], n/16, uint16(1)<<(n%16)-1, lr, mu, wd)
}

// sgdStepAVX512 and nesterovStepAVX512 run SGDStep and NesterovStep over
// vecs blocks of 16 values and a last block of the lanes in mask.
//
//go:noescape
func sgdStepAVX512(w, grad *float32, vecs int, mask uint16, lr, wd float32)

//go:noescape
func nesterovStepAVX512(w, grad, b *float32, vecs int, mask uint16, lr, mu, wd float32)

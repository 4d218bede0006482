//go:build amd64 && !noasm

package kernel

func adamStep(w, g, m, v []float32, k *AdamConsts) {
	if !hasAVX512 {
		adamStepGo(w, g, m, v, k)
		return
	}
	n := len(w)
	adamStepAVX512(&w[0], &g[0], &m[0], &v[0], n/16, uint16(1)<<(n%16)-1, k)
}

// adamStepAVX512 runs AdamStep over vecs blocks of 16 values and a last
// block of the lanes in mask, which touches no memory past the end.
//
//go:noescape
func adamStepAVX512(w, grad, m, v *float32, vecs int, mask uint16, k *AdamConsts)

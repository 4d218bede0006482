//go:build amd64 && !noasm

package kernel

func addTo(dst, src []float32) {
	if hasAVX2FMA {
		addToAVX2(dst, src[:len(dst)])
		return
	}
	addToGo(dst, src)
}

// addToAVX2 computes, with src at least as long as dst,
//
//	for i := range dst {
//		dst[i] += src[i]
//	}
//
// 32 values at a time, then 8, then a masked tail.
//
//go:noescape
func addToAVX2(dst, src []float32)

func copyAddScalar(dst, src []float32, b float32) {
	if hasAVX2FMA {
		copyAddScalarAVX2(dst, src, b)
		return
	}
	copyAddScalarGo(dst, src, b)
}

// copyAddScalarAVX2 computes, with src at least as long as dst,
//
//	for i := range dst {
//		dst[i] = src[i] + b
//	}
//
// 16 values at a time, then 8, then a masked tail.
//
//go:noescape
func copyAddScalarAVX2(dst, src []float32, b float32)

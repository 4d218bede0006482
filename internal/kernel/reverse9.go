package kernel

import "fmt"

// Reverse9 writes n runs of 9 values of src, taken one after another, each
// reversed, to dst, ldd apart:
//
//	dst[i·ldd + j] = src[i·9 + 8 - j],   i < n, j < 9
//
// It is the inner loop of a 3×3 convolution's weight flip (W'[c][f] =
// rot180(W[f][c]), the input gradient's weights), whose 9-value runs are
// too short for copy.
func Reverse9(dst []float32, ldd int, src []float32, n int) {
	if n <= 0 {
		return
	}
	if ldd < 9 || len(dst) < (n-1)*ldd+9 || len(src) < 9*n {
		panic(fmt.Sprintf("kernel: Reverse9: %d runs do not fit (dst %d, ldd %d, src %d)", n, len(dst), ldd, len(src)))
	}
	reverse9(dst, ldd, src, n)
}

func reverse9Go(dst []float32, ldd int, src []float32, n int) {
	for i := 0; i < n; i++ {
		d, s := (*[9]float32)(dst[i*ldd:]), (*[9]float32)(src[i*9:])
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8] = s[8], s[7], s[6], s[5], s[4], s[3], s[2], s[1], s[0]
	}
}

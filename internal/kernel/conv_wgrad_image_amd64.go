//go:build amd64 && !noasm

package kernel

// ConvWgradImageFast reports whether ConvWgradImage runs on vector
// registers here (AVX-512); without them it is the scalar reference and
// ConvIm2col with Sgemm is faster.
func ConvWgradImageFast() bool { return hasAVX512 }

// convWgradImageTiles runs convWgradImageGo's loop, on AVX-512 when the
// CPU has it. ConvWgradImage has checked the bounds.
func convWgradImageTiles(m, n, ne, rows, ow int, a []float32, plane, estr, wp int, b, c []float32, ldc int, overwrite bool) {
	if !hasAVX512 {
		convWgradImageGo(m, n, ne, rows, ow, a, plane, estr, wp, b, c, ldc, overwrite)
		return
	}
	convWgradImageAVX512(m, n, ne, rows, ow, &a[0], plane, 4*(estr-rows*wp), 4*(wp-ow), &b[0], &c[0], ldc, overwrite)
}

// convWgradImageAVX512 is convWgradImageGo with 8×32 tiles in zmm
// registers; imgSkip and rowSkip are in bytes: estr-rows·wp and wp-ow
// values.
//
//go:noescape
func convWgradImageAVX512(m, n, ne, rows, ow int, a *float32, plane, imgSkip, rowSkip int, b, c *float32, ldc int, overwrite bool)

//go:build !amd64 || noasm

package kernel

// ConvWgradImageFast reports whether ConvWgradImage runs on vector
// registers: without assembly it is the scalar reference.
func ConvWgradImageFast() bool { return false }

func convWgradImageTiles(m, n, ne, rows, ow int, a []float32, plane, estr, wp int, b, c []float32, ldc int, overwrite bool) {
	convWgradImageGo(m, n, ne, rows, ow, a, plane, estr, wp, b, c, ldc, overwrite)
}

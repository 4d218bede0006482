//go:build !amd64 || noasm

package kernel

func copyPlanes(dst []float32, ldd, dp int, src []float32, lds, sp, planes, rows, cols int) {
	copyPlanesGo(dst, ldd, dp, src, lds, sp, planes, rows, cols)
}

//go:build !amd64 || noasm

package kernel

func copyRows(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	copyRowsGo(dst, ldd, src, lds, rows, cols)
}

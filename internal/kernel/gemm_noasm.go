//go:build !amd64 || noasm

package kernel

// gemmKernelForCPU returns the micro-kernel Sgemm uses: without assembly,
// always the pure-Go one.
func gemmKernelForCPU() *gemmKernel { return &goKernel }

// packRows sets dst[p*ldd+j] = src[p*lds+j] for p < k, j < n.
func packRows(k, n int, src []float32, lds int, dst []float32, ldd int) {
	packRowsGo(k, n, src, lds, dst, ldd)
}

// packCols sets dst[p*ldd+j] = src[j*lds+p] for p < k, j < n: it transposes.
func packCols(k, n int, src []float32, lds int, dst []float32, ldd int) {
	packColsGo(k, 0, n, src, lds, dst, ldd)
}

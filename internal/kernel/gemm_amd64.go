//go:build amd64 && !noasm

package kernel

// The assembly micro-kernels. Each stub's comment is the loop it implements;
// gemmKernel documents the layout of a and b. They check no bounds: callTile
// does that for them.

// gemmKernelAVX2 computes an m×n block of C, n ≤ 16, with AVX2 and FMA, one
// 6×16 tile in registers at a time; A must also hold the rows that round m
// up to a multiple of 6, which are computed and dropped:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*ars+p*aks] * b[p*16+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
//go:noescape
func gemmKernelAVX2(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)

// gemmKernelAVX512 computes an m×n block of C, n ≤ 32, with AVX-512, one
// 8×32 tile in registers at a time; A must also hold the rows that round m
// up to a multiple of 8, which are computed and dropped:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*ars+p*aks] * b[p*32+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
//go:noescape
func gemmKernelAVX512(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)

// gemmTranspose8AVX2 transposes an 8×k block of src, k a multiple of 8,
// with AVX2:
//
//	for j := 0; j < 8; j++ {
//		for p := 0; p < k; p++ {
//			dst[p*ldd+j] = src[j*lds+p]
//		}
//	}
//
//go:noescape
func gemmTranspose8AVX2(k int, src []float32, lds int, dst []float32, ldd int)

// gemmCopyRowsAVX2 copies k rows of n values, n a multiple of 8, with AVX2:
//
//	for p := 0; p < k; p++ {
//		copy(dst[p*n:p*n+n], src[p*lds:p*lds+n])
//	}
//
//go:noescape
func gemmCopyRowsAVX2(k, n int, src []float32, lds int, dst []float32)

// packRows sets dst[p*ldd+j] = src[p*lds+j] for p < k, j < n.
func packRows(k, n int, src []float32, lds int, dst []float32, ldd int) {
	if !hasAVX2FMA || n%8 != 0 || ldd != n {
		packRowsGo(k, n, src, lds, dst, ldd)
		return
	}
	_ = src[(k-1)*lds+n-1]
	_ = dst[k*n-1]
	gemmCopyRowsAVX2(k, n, src, lds, dst)
}

// packCols sets dst[p*ldd+j] = src[j*lds+p] for p < k, j < n: it
// transposes. Blocks of 8×8 go through AVX2 registers; the last k%8 values
// of every row and the last n%8 rows are moved one by one.
func packCols(k, n int, src []float32, lds int, dst []float32, ldd int) {
	n8, k8 := 0, 0
	if hasAVX2FMA && k >= 8 {
		n8, k8 = n&^7, k&^7
	}
	if n8 > 0 {
		_ = src[(n8-1)*lds+k8-1]
		_ = dst[(k8-1)*ldd+n8-1]
		for j := 0; j < n8; j += 8 {
			gemmTranspose8AVX2(k8, src[j*lds:], lds, dst[j:], ldd)
		}
		for j := 0; j < n8; j++ {
			row := src[j*lds : j*lds+k]
			for p := k8; p < k; p++ {
				dst[p*ldd+j] = row[p]
			}
		}
	}
	packColsGo(k, n8, n, src, lds, dst, ldd)
}

// gemmKernelAVX512N is gemmKernelAVX512 for n ≤ 16, one 8×16 tile in
// registers at a time, and b packed 16 wide:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*ars+p*aks] * b[p*16+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// gemmKernelAVX512Row is gemmKernelAVX512 for one row (m == 1) of a
// 32-wide panel, with the same bits: 2 FMAs a step where the 8-row tile,
// given one row, does 16. Dense layers at batch 1 (LeNet-5's latency, a
// server's single requests) are products of one row.
//
//go:noescape
func gemmKernelAVX512Row(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernelAVX512N(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)

// gemmKernelAVX2N is gemmKernelAVX2 for n ≤ 8, one 6×8 tile in registers
// at a time, and b packed 8 wide:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*ars+p*aks] * b[p*8+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
//go:noescape
func gemmKernelAVX2N(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)

var (
	avx2Kernel = gemmKernel{name: "avx2", mr: 6, nr: 16, mc: 144, kc: 256, nc: 1024, tile: gemmKernelAVX2,
		narrow: &gemmKernel{name: "avx2n", mr: 6, nr: 8, tile: gemmKernelAVX2N}}
	avx512Kernel = gemmKernel{name: "avx512", mr: 8, nr: 32, mc: 128, kc: 256, nc: 1024, tile: gemmKernelAVX512,
		narrow: &gemmKernel{name: "avx512n", mr: 8, nr: 16, tile: gemmKernelAVX512N},
		row:    &gemmKernel{name: "avx512row", mr: 1, nr: 32, tile: gemmKernelAVX512Row}}
)

// gemmKernelForCPU returns the fastest micro-kernel this CPU runs.
func gemmKernelForCPU() *gemmKernel {
	switch {
	case hasAVX512:
		return &avx512Kernel
	case hasAVX2FMA:
		return &avx2Kernel
	}
	return &goKernel
}

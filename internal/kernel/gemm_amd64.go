//go:build amd64 && !noasm

package kernel

// The assembly micro-kernels. Each stub's comment is the loop it implements;
// gemmKernel documents the packed layout of a and b.

// gemmKernelAVX2 computes one 6×16 tile of C with AVX2 and FMA:
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*6+i] * b[p*16+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s
//			} else {
//				c[i*ldc+j] = s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// It reads no bounds: a must hold 6·k values, b 16·k and c 5·ldc+16.
//
//go:noescape
func gemmKernelAVX2(k int, a, b, c []float32, ldc int, beta float32)

// gemmKernelAVX512 computes one 8×32 tile of C with AVX-512:
//
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 32; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*8+i] * b[p*32+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s
//			} else {
//				c[i*ldc+j] = s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// It reads no bounds: a must hold 8·k values, b 32·k and c 7·ldc+32.
//
//go:noescape
func gemmKernelAVX512(k int, a, b, c []float32, ldc int, beta float32)

var (
	avx2Kernel   = gemmKernel{name: "avx2", mr: 6, nr: 16, mc: 144, kc: 256, nc: 2048, tile: gemmKernelAVX2}
	avx512Kernel = gemmKernel{name: "avx512", mr: 8, nr: 32, mc: 128, kc: 256, nc: 2048, tile: gemmKernelAVX512}
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

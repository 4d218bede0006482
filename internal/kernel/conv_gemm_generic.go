//go:build !amd64 || noasm

package kernel

func convGather(k int, xp []float32, off []int32, segs []convSeg, dst []float32, ldd, w int) {
	convGatherGo(k, xp, off, segs, dst, ldd, w)
}

// ConvGemmFast reports whether ConvGemm and ConvIm2col pack with vector
// loads. Without assembly nothing does, and they still write and read less
// than im2col followed by Sgemm, so they count as fast.
func ConvGemmFast() bool { return true }

// convGemmDirect is the unpacked path of ConvGemmCols, which needs
// assembly: here it never applies.
func convGemmDirect(g ConvGeom, m int, w []float32, ldw int, xp []float32, off []int32, j0, n int, beta float32, ones bool, c []float32, ldc int) bool {
	return false
}

func convGemmWide(m int, w []float32, ldw int, xp []float32, off []int32, q0, n int, beta float32, c []float32, ldc int) {
	convGemmWideGo(m, w, ldw, xp, off, q0, n, beta, c, ldc)
}

// ConvGemmWideFast reports whether ConvGemmWide runs on vector registers:
// without assembly it is a scalar reference.
func ConvGemmWideFast() bool { return false }

// ConvGemmThin reports whether ConvGemmCols has a kernel for products of at
// most 4 rows: not without assembly.
func ConvGemmThin() bool { return false }

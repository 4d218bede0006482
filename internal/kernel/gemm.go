package kernel

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, as
// BLAS sgemm does but without column-major storage:
//
//	op(A) is m×k: A itself (m×k, row stride lda) or, with transA, Aᵀ where A is k×m;
//	op(B) is k×n: B itself (k×n, row stride ldb) or, with transB, Bᵀ where B is n×k;
//	C is m×n with row stride ldc.
//
// With beta == 0, C is overwritten and its old contents (even NaN) are ignored.
// Only the elements the product needs are read, so a and b may end right
// after the last one used; only the m×n block of C is written.
//
// Sgemm runs on the calling goroutine and is safe to call from several at
// once; callers parallelise over batches or over row blocks of C. It panics
// if a dimension is negative, a leading dimension is too small for its
// matrix, or a slice is too short.
//
// Most products go through sgemmPacked (gemm_packed.go), blocked for the
// caches as in GotoBLAS/BLIS (Goto and van de Geijn, "Anatomy of
// High-Performance Matrix Multiplication", ACM TOMS 2008): blocks of op(B)
// are packed into contiguous panels, and a register-blocked micro-kernel, in
// assembly where the CPU allows it (8×32 AVX-512, 6×16 AVX2+FMA), computes
// C a column of tiles at a time, reading op(A) where it lies. Tiny ones take
// the plain loops of sgemmGo, which have nothing to set up.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if sgemmSmall(m, n, k) {
		scaleC(m, n, beta, c, ldc)
		sgemmGo(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc)
		return
	}
	sgemmPacked(gemmKernelForCPU(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmSmall reports whether the plain loops beat the packed path, which
// has a fixed cost of about 130 ns and, when C has fewer rows or columns
// than a tile, computes zeros. Measured with BenchmarkSgemmSmall: the loops
// win below m·n·k = 512 (4×4×4: 65 ns against 130 ns) and for outputs of
// fewer than 16 values (1×10×84: 470 ns against 600 ns); the packed path
// wins from 8×8×8 (150 ns against 330 ns) and 1×32×32 (240 ns against 800 ns).
func sgemmSmall(m, n, k int) bool {
	mn := m * n // fits: C has m·n elements
	return mn < 16 || mn < 512 && k < 512 && mn*k < 512
}

// checkSgemm panics on arguments that would make Sgemm read or write outside
// its slices. The assembly micro-kernels write tiles of C without bounds
// checks, so this is what keeps them inside c.
func checkSgemm(transA, transB bool, m, n, k int, a []float32, lda int,
	b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("kernel: Sgemm: negative dimension")
	}
	if ldc < max(1, n) {
		panic("kernel: Sgemm: ldc < n")
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	if lda < max(1, colsA) {
		panic("kernel: Sgemm: lda smaller than a row of A")
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	if ldb < max(1, colsB) {
		panic("kernel: Sgemm: ldb smaller than a row of B")
	}
	if m == 0 || n == 0 {
		return
	}
	if len(c) < (m-1)*ldc+n {
		panic("kernel: Sgemm: c is too short")
	}
	if k == 0 {
		return
	}
	if len(a) < (rowsA-1)*lda+colsA {
		panic("kernel: Sgemm: a is too short")
	}
	if len(b) < (rowsB-1)*ldb+colsB {
		panic("kernel: Sgemm: b is too short")
	}
}

// scaleC sets C = beta·C, treating beta == 0 as an overwrite with zeros.
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// sgemmGo accumulates C += alpha·op(A)·op(B) in plain Go. The loops are
// ordered so the innermost one walks contiguous memory: for B untransposed it
// is an axpy over a row of B into a row of C; for B transposed, a dot product
// of a row of A with a row of B. Blocking over k keeps the rows of B that a
// block touches in cache while the rows of C stream past.
func sgemmGo(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, c []float32, ldc int) {
	const kBlock = 256
	if transB {
		for i := 0; i < m; i++ {
			crow := c[i*ldc : i*ldc+n]
			for j := range crow {
				brow := b[j*ldb : j*ldb+k]
				var s float32
				if transA {
					for p, bv := range brow {
						s += a[p*lda+i] * bv
					}
				} else {
					arow := a[i*lda : i*lda+k]
					for p, bv := range brow {
						s += arow[p] * bv
					}
				}
				crow[j] += alpha * s
			}
		}
		return
	}
	for p0 := 0; p0 < k; p0 += kBlock {
		p1 := min(p0+kBlock, k)
		for i := 0; i < m; i++ {
			crow := c[i*ldc : i*ldc+n]
			for p := p0; p < p1; p++ {
				var av float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if av == 0 {
					continue
				}
				av *= alpha
				brow := b[p*ldb : p*ldb+n]
				for j, bv := range brow {
					crow[j] += av * bv
				}
			}
		}
	}
}

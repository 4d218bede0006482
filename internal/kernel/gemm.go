package kernel

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, as
// BLAS sgemm does but without column-major storage:
//
//	op(A) is m×k: A itself (m×k, row stride lda) or, with transA, Aᵀ where A is k×m;
//	op(B) is k×n: B itself (k×n, row stride ldb) or, with transB, Bᵀ where B is n×k;
//	C is m×n with row stride ldc.
//
// With beta == 0, C is overwritten and its old contents (even NaN) are ignored.
// Sgemm runs on the calling goroutine; callers parallelise over batches or
// over row blocks of C.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	scaleC(m, n, beta, c, ldc)
	if k == 0 || alpha == 0 {
		return
	}
	sgemmGo(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc)
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

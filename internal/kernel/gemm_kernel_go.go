package kernel

// goKernel is the pure-Go micro-kernel, used by -tags noasm, on other
// architectures, and on amd64 CPUs without AVX2 and FMA.
var goKernel = gemmKernel{name: "go4x4", mr: 4, nr: 4, mc: 128, kc: 256, nc: 1024, tile: gemmTileGo4x4}

// gemmTileGo4x4 computes an m×4 block of C, m a multiple of 4, one 4×4
// tile at a time (see gemmKernel).
func gemmTileGo4x4(m, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32) {
	for i := 0; i < m; i += 4 {
		gemmTileGo4x4One(k, a[i*ars:], ars, aks, b, c[i*ldc:], ldc, alpha, beta)
	}
}

// gemmTileGo4x4One computes one 4×4 tile of C. The sixteen sums live in
// local variables, which the compiler keeps in registers as far as it can;
// each step reads 4 values of A and 4 of B for 16 multiply-adds, where the
// plain loops of sgemmGo read and write C for every one.
func gemmTileGo4x4One(k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	b = b[:4*k]
	for p := 0; p < k; p++ {
		bp := b[4*p : 4*p+4 : 4*p+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := a[p*aks]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := a[p*aks+ars]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := a[p*aks+2*ars]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := a[p*aks+3*ars]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow4(c[0*ldc:], c00, c01, c02, c03, alpha, beta)
	storeRow4(c[1*ldc:], c10, c11, c12, c13, alpha, beta)
	storeRow4(c[2*ldc:], c20, c21, c22, c23, alpha, beta)
	storeRow4(c[3*ldc:], c30, c31, c32, c33, alpha, beta)
}

// storeRow4 sets c[0:4] to alpha·s + beta·c[0:4], ignoring c when beta == 0.
func storeRow4(c []float32, s0, s1, s2, s3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}

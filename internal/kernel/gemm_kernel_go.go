package kernel

// goKernel is the pure-Go micro-kernel, used by -tags noasm, on other
// architectures, and on amd64 CPUs without AVX2 and FMA.
//
// Go has no vector types, so the tile is sized for scalar registers: a 2×4
// tile keeps its 8 sums, 2 values of A and 4 of B in 14 of the 15 float
// registers amd64 gives Go code. Measured on one tile with k = 256 in L1:
// 2×4 7.9 GFLOP/s, 4×4 6.2 (sums spill), 3×4 4.2, and a 6×16 tile as loops
// over an array of sums, the AVX2 kernel's shape, 5.4.
var goKernel = gemmKernel{name: "go2x4", mr: 2, nr: 4, mc: 144, kc: 256, nc: 2048, tile: gemmTileGo2x4}

// gemmTileGo2x4 computes an m×n block of C, n ≤ 4, one 2×4 tile at a time
// (see gemmKernel).
func gemmTileGo2x4(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32) {
	for i := 0; i < m; i += 2 {
		gemmTileGo2x4One(min(2, m-i), n, k, a[i*ars:], ars, aks, b, c[i*ldc:], ldc, alpha, beta)
	}
}

// gemmTileGo2x4One computes the m×n corner, m ≤ 2 and n ≤ 4, of one 2×4
// tile of C.
func gemmTileGo2x4One(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	b = b[:4*k]
	a0 := a[:(k-1)*aks+1]
	a1 := a[ars : ars+(k-1)*aks+1]
	for p := 0; p < k; p++ {
		bp := b[4*p : 4*p+4 : 4*p+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		x, y := a0[p*aks], a1[p*aks]
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
	}
	storeRow4(c[:n], c00, c01, c02, c03, alpha, beta)
	if m > 1 {
		storeRow4(c[ldc:ldc+n], c10, c11, c12, c13, alpha, beta)
	}
}

// storeRow4 sets c[j] to alpha·s_j + beta·c[j] for the len(c) ≤ 4 columns,
// ignoring c when beta == 0.
func storeRow4(c []float32, s0, s1, s2, s3, alpha, beta float32) {
	if len(c) < 4 {
		s := [4]float32{s0, s1, s2, s3}
		for j := range c {
			if beta == 0 {
				c[j] = alpha * s[j]
			} else {
				c[j] = alpha*s[j] + beta*c[j]
			}
		}
		return
	}
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

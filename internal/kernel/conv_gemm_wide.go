package kernel

// Wide rows: the output of a stride-1 convolution computed at the padded
// image's width Wp rather than OW. Pixel q = oy·Wp + ox of the wide output
// is
//
//	out'[i][q] = Σ_p w[i][p] · xp[off[p] + q]
//
// which is the output for ox < OW and a value to throw away in the Wp-OW
// columns past it (they read across the edge of a row). Every run of
// consecutive q is then consecutive in xp, so B is loaded from the image
// 16 pixels at a time whatever OW is: no packing, at the cost of the
// (Wp-OW)/OW extra columns and a copy of the output into OW-wide rows.

// ConvGemmWide computes C[i][q] = Σ_p W[i][p] · xp[off[p] + q0 + q] for i <
// m and q < n: pixels [q0, q0+n) of the wide output of a stride-1
// convolution. W is m × len(off) with row stride ldw, C m × n with row
// stride ldc; with beta == 0 C is overwritten, else C = product + beta·C.
// xp must reach the last pixel read, off[len(off)-1] + q0 + n - 1, which
// for ConvOffsets(g) and q up to OH·Wp is (KW-1)·DW past the padded image:
// callers keep that much slack after it.
func ConvGemmWide(m int, w []float32, ldw int, xp []float32, off []int32, q0, n int, beta float32, c []float32, ldc int) {
	k := len(off)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	checkConvOffsets(off)
	if q0 < 0 || int(off[0]) < 0 || int(off[k-1])+q0+n > len(xp) {
		panic("kernel: ConvGemmWide: reads outside xp")
	}
	if ldw < k || len(w) < (m-1)*ldw+k {
		panic("kernel: ConvGemmWide: w is too short")
	}
	if ldc < n || len(c) < (m-1)*ldc+n {
		panic("kernel: ConvGemmWide: c is too short")
	}
	convGemmWide(m, w, ldw, xp, off, q0, n, beta, c, ldc)
}

// convGemmWideGo is the reference of ConvGemmWide.
func convGemmWideGo(m int, w []float32, ldw int, xp []float32, off []int32, q0, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for q := 0; q < n; q++ {
			var s float32
			for p, o := range off {
				s += w[i*ldw+p] * xp[int(o)+q0+q]
			}
			if beta != 0 {
				s += beta * c[i*ldc+q]
			}
			c[i*ldc+q] = s
		}
	}
}

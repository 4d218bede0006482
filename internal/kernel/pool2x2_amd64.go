//go:build amd64 && !noasm

package kernel

func maxPool2x2Row(r0, r1, y []float32, arg []int32, base, w int) {
	if hasAVX2FMA {
		maxPool2x2RowAVX2(r0, r1, y, arg, base, w)
		return
	}
	maxPool2x2RowGo(r0, r1, y, arg, base, w)
}

// maxPool2x2RowAVX2 is maxPool2x2RowGo in AVX2, 8 windows at a time, the
// last up to 7 through masked loads and stores:
//
//	for ox := range y {
//		m, k := max4(r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1])
//		y[ox] = m
//		arg[ox] = int32(base + (k>>1)*w + 2*ox + (k & 1))
//	}
//
// r0 and r1 must hold 2·len(y) values and arg len(y); base and w must fit
// an int32.
//
//go:noescape
func maxPool2x2RowAVX2(r0, r1, y []float32, arg []int32, base, w int)

// pool2x2Ramp is 2·i in lane i: the column of each window's first tap.
var pool2x2Ramp = [8]int32{0, 2, 4, 6, 8, 10, 12, 14}

// maxPool2x2Image runs maxPool2x2 in one AVX-512 call for the whole image
// and reports true, or reports false on CPUs without AVX-512. Per batch of
// 32 images, against maxPool2x2RowAVX2 a row at a time: 6×28×28 12 µs
// against 33, 16×10×10 11 against 28, 32×32×32 82 against 190.
func maxPool2x2Image(g PoolGeom, x, y []float32, arg []int32) bool {
	if !hasAVX512 || g.C == 0 || g.OH == 0 || g.OW == 0 {
		return false
	}
	n := g.C * g.OH * g.OW
	x, y, arg = x[:g.C*g.H*g.W], y[:n], arg[:n]
	groups := g.OW / 16
	maxPool2x2AVX512(&x[0], &y[0], &arg[0], g.C, g.H*g.W-2*g.OH*g.W, g.W, g.OH, groups, g.OW, pool2x2Masks(g.OW), &pool2x2Perm)
	return true
}

// pool2x2Masks returns the masks of a row's last ow mod 16 windows for
// maxPool2x2AVX512 and maxPool2x2BackwardAVX512.
func pool2x2Masks(ow int) uint64 {
	r := ow % 16
	if r == 0 {
		return 0
	}
	lo, hi := min(2*r, 16), max(0, 2*r-16)
	return uint64(1<<lo-1) | uint64(1<<hi-1)<<16 | uint64(1<<r-1)<<32
}

// maxPool2x2BackwardImage runs MaxPoolBackward for a 2×2 pool whose
// windows tile the image exactly, rows of at least 8 windows, in one
// AVX-512 call, and reports true; it reports false on CPUs without
// AVX-512, for other images, and for an arg that is not MaxPoolForward's
// (an index outside its window), leaving dx for the general loop to write
// again. Per batch of 32 images, against the general loop (clear, then
// scatter): 6×28×28 13 µs against 28, 64×16×16 66 against 92, but
// 16×10×10 12 against 10 and 128×8×8 65 against 50: a row of fewer than 8
// windows costs one masked vector step, as much as 16.
func maxPool2x2BackwardImage(g PoolGeom, dy []float32, arg []int32, dx []float32) bool {
	if !hasAVX512 || g.C == 0 || g.OH == 0 || g.OW < 8 || 2*g.OH != g.H || 2*g.OW != g.W {
		return false
	}
	n := g.C * g.OH * g.OW
	dy, arg, dx = dy[:n], arg[:n], dx[:g.C*g.H*g.W]
	return maxPool2x2BackwardAVX512(&dy[0], &arg[0], &dx[0], g.C, 0, g.W, g.OH, g.OW/16, g.OW, pool2x2Masks(g.OW), &pool2x2Perm)
}

// maxPool2x2BackwardAVX512 is in pool2x2_avx512_amd64.s.
//
//go:noescape
func maxPool2x2BackwardAVX512(dy *float32, arg *int32, dx *float32, planes, skip, w, oh, groups, ow int, masks uint64, perm *[4][16]int32) bool

// maxPool2x2AVX512 is in pool2x2_avx512_amd64.s.
//
//go:noescape
func maxPool2x2AVX512(x, y *float32, arg *int32, planes, skip, w, oh, groups, ow int, masks uint64, perm *[4][16]int32)

// pool2x2Perm holds the 2×2 kernels' VPERMT2PS indices: the even and odd
// columns of 32 values (the even ones, 2·i in lane i, are also each
// window's first column), and two vectors' first and second halves
// interleaved.
var pool2x2Perm = [4][16]int32{
	{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30},
	{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31},
	{0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23},
	{8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31},
}

//go:build amd64 && !noasm

package kernel

import "math/bits"

// convGather is convGatherGo, through AVX-512 masked loads where the CPU
// has them. It checks that every element it reads or writes lies inside xp
// and dst, which the assembly does not, given off increasing.
func convGather(k int, xp []float32, off []int32, segs []convSeg, dst []float32, ldd, w int) {
	if !hasAVX512 || (w != 16 && w != 32) || k == 0 || len(segs) == 0 {
		convGatherGo(k, xp, off, segs, dst, ldd, w)
		return
	}
	lo, hi := int(off[0]), int(off[k-1]) // checkConvOffsets: off is increasing
	first, last := len(xp), -1
	for _, s := range segs {
		if s.mask == 0 {
			continue
		}
		first = min(first, int(s.disp)+bits.TrailingZeros32(s.mask))
		last = max(last, int(s.disp)+31-bits.LeadingZeros32(s.mask))
	}
	if last >= 0 {
		_ = xp[lo+first]
		_ = xp[hi+last]
	}
	_ = dst[(k-1)*ldd+w-1]
	if w == 32 {
		// Rows whose halves each take one run (every row when the output
		// width is a multiple of 16) need no merging. Measured on the
		// forward products of 32×32×32 → 32 and 64×16×16 → 64 filters
		// (BenchmarkConvGemm, profiled): packing fell from 14% of the
		// time through the merging loop to 8% (plus 2% in this wrapper).
		var m [2]uint16
		var d [2]int
		var n [2]int
		for _, s := range segs {
			for h := range 2 {
				if hm := uint16(s.mask >> (16 * h)); hm != 0 {
					m[h], d[h] = hm, int(s.disp)
					n[h]++
				}
			}
		}
		if n[0] <= 1 && n[1] <= 1 {
			convGather2AVX512(k, xp, off, m[0], m[1], d[0], d[1], dst, ldd)
			return
		}
		// Full rows whose quarters each take one run (output widths that
		// are multiples of 8, such as 8 and 56): four 8-value loads a row
		// instead of a masked load per run. Profiled on the forward
		// products of 128×8×8 → 128 and 64×56×56 → 64 filters
		// (BenchmarkConvGemm), packing fell from 15% of the time to 6%.
		var q [4]int
		full := true
		for _, s := range segs {
			for h := range 4 {
				qm := uint8(s.mask >> (8 * h))
				switch qm {
				case 0:
				case 0xff:
					q[h] = int(s.disp)
				default:
					full = false
				}
			}
		}
		if full && covered(segs) == 1<<32-1 {
			convGather4AVX512(k, xp, off, &q, dst, ldd)
			return
		}
	}
	if m, d, ok := gatherHalves(segs, w); ok {
		convGatherHalvesAVX512(k, &xp[0], &off[0], &m, &d, &dst[0], ldd, w)
		return
	}
	convGatherAVX512(k, xp, off, segs, dst, ldd, w)
}

// convGatherHalvesAVX512 is convGatherAVX512 with the segments taken apart
// by gatherHalves, their masks and displacements held in registers across
// the k rows: a row is then three masked loads a half, where the segment
// loop reloaded every segment's masks and displacement for each row and
// loaded both halves of each. The caller has checked the bounds.
//
//go:noescape
func convGatherHalvesAVX512(k int, xp *float32, off *int32, m *[6]uint16, d *[6]int, dst *float32, ldd, w int)

// convGather2AVX512 is convGatherAVX512 for w = 32 and rows whose lanes
// 0-15 come from one run of pixels (mask m0, displacement d0) and lanes
// 16-31 from one other (m1, d1), which may be the same run; lanes outside
// the masks are zero:
//
//	for p := 0; p < k; p++ {
//		for l := 0; l < 32; l++ {
//			m, d := uint32(m0), d0
//			if l >= 16 {
//				m, d = uint32(m1)<<16, d1
//			}
//			dst[p*ldd+l] = 0
//			if m&(1<<l) != 0 {
//				dst[p*ldd+l] = xp[int(off[p])+d+l]
//			}
//		}
//	}
//
//go:noescape
func convGather2AVX512(k int, xp []float32, off []int32, m0, m1 uint16, d0, d1 int, dst []float32, ldd int)

// convGatherAVX512 computes convGatherGo for w = 16 or 32, one zmm register
// per 16 lanes: each segment is one masked load (merging into the row, so
// lanes of other segments stay), and lanes in no segment are zero:
//
//	for p := 0; p < k; p++ {
//		row := dst[p*ldd : p*ldd+w]
//		clear(row)
//		for _, s := range segs {
//			for l := 0; l < w; l++ {
//				if s.mask&(1<<l) != 0 {
//					row[l] = xp[int(off[p])+int(s.disp)+l]
//				}
//			}
//		}
//	}
//
//go:noescape
func convGatherAVX512(k int, xp []float32, off []int32, segs []convSeg, dst []float32, ldd, w int)

// ConvGemmFast reports whether ConvGemm and ConvIm2col pack with vector
// loads on this CPU (AVX-512); without them they pack one value at a time,
// and im2col followed by Sgemm is the faster way to convolve.
func ConvGemmFast() bool { return hasAVX512 }

// convGemmDirect computes ConvGemmCols without packing B, when the output
// width is a multiple of 16 and j0 of 16: then each half of a 32-column
// tile is 16 consecutive pixels of one output row, which convKernelAVX512
// loads from xp itself. It reports false, doing nothing, otherwise.
//
// Measured with BenchmarkConvGemm, 1 thread, three runs each, against
// packing B as for other widths: 32×32×32 → 32 filters 181-191 GFLOP/s
// against 135-151, 64×16×16 → 64 178-194 against 155-175, 3×32×32 → 32
// 153-177 against 108-159. The loads of B are mostly unaligned (the
// taps kj = 1, 2 start one and two pixels in) and come from L1, since a
// tile's rows of the image are few and reused by every row of A.
//
// With ones set, the last row of B is a plane of ones (ConvGemmColsOnes),
// which convKernelAVX512 adds rather than multiplies.
func convGemmDirect(g ConvGeom, m int, w []float32, ldw int, xp []float32, off []int32, j0, n int, beta float32, ones bool, c []float32, ldc int) bool {
	ow := g.OutW()
	if !hasAVX512 || ow%16 != 0 || j0%16 != 0 {
		return false
	}
	_, wp := g.Padded()
	base := func(j int) int { return (j0+j)/ow*wp + (j0+j)%ow }
	if m <= 4 && beta == 0 {
		convGemmThinRuns(m, w, ldw, xp, off, n, base, c, ldc)
	} else {
		convGemmRuns(m, w, ldw, xp, off, n, base, beta, ones, c, ldc)
	}
	return true
}

// convGemmThinRuns is convGemmRuns for at most 4 rows and beta 0, on
// convKernel4AVX512 or convKernel3AVX512, 64 columns a tile: the 8-row
// kernel would compute 8 rows for these.
func convGemmThinRuns(m int, w []float32, ldw int, xp []float32, off []int32, n int, base func(int) int, c []float32, ldc int) {
	k := len(off)
	// 3 rows (CIFAR's RGB input gradients) on the 3-row kernel, which does
	// no FMAs for a fourth; fewer rows are padded with zero rows.
	rows := 4
	if m <= 3 {
		rows = 3
	}
	a, ars := w, ldw
	var ws *gemmWorkspace
	if m < rows {
		ws = zeroPaddedRows(w, ldw, m, rows, k)
		a, ars = ws.a, k
	} else {
		_ = w[(rows-1)*ldw+k-1]
	}
	jt := 0
	if m == 3 {
		// Whole tiles of 128 columns on the wider 3-row kernel.
		var x [8]int
		for ; n-jt >= 128; jt += 128 {
			for r := range x {
				x[r] = base(jt + 16*r)
			}
			_ = xp[int(off[0])+x[0]]
			_ = xp[int(off[k-1])+x[7]+15]
			_ = c[2*ldc+jt+127]
			convKernel3x8AVX512(k, &a[0], ars, &xp[0], &off[0], &x, &c[jt], ldc)
		}
	}
	var x [4]int
	for ; jt < n; jt += 64 {
		cols := min(64, n-jt)
		last := 0
		for r := range x {
			x[r] = base(jt + min(16*r, cols-1))
			if 16*r < cols {
				last = x[r] + min(16, cols-16*r) - 1
			}
		}
		_ = xp[int(off[0])+x[0]]
		_ = xp[int(off[k-1])+last]
		_ = c[(m-1)*ldc+jt+cols-1]
		mask := ^uint64(0)
		if cols < 64 {
			mask = 1<<cols - 1
		}
		// Called directly, not through a func value, so that x stays on
		// the stack (go:noescape does not follow an indirect call).
		if rows == 3 {
			convKernel3AVX512(m, k, &a[0], ars, &xp[0], &off[0], &x, mask, &c[jt], ldc)
		} else {
			convKernel4AVX512(m, k, &a[0], ars, &xp[0], &off[0], &x, mask, &c[jt], ldc)
		}
	}
	if ws != nil {
		putGemmWorkspace(ws)
	}
}

// zeroPaddedRows copies the m rows of k values of w (rows ldw apart) into a
// pooled workspace's a as rows k apart, zero-padded to rows rows, for the
// kernels that read whole tiles of A. The caller gives it back with putGemmWorkspace.
func zeroPaddedRows(w []float32, ldw, m, rows, k int) *gemmWorkspace {
	ws := getGemmWorkspace(rows*k, 0, 0)
	clear(ws.a[:rows*k])
	for i := 0; i < m; i++ {
		copy(ws.a[i*k:(i+1)*k], w[i*ldw:i*ldw+k])
	}
	return ws
}

// ConvGemmThin reports whether ConvGemmCols has kernels for products of at
// most 4 rows (beta 0, output width a multiple of 16) on this CPU.
func ConvGemmThin() bool { return hasAVX512 }

// convKernel4AVX512 computes C (m × n, m ≤ 4, n ≤ 64, the lanes in mask) =
// A · B, A's rows ars apart (4 readable), B[p][16·r + l] = xp[x[r] + off[p]
// + l], overwriting C.
//
//go:noescape
func convKernel4AVX512(m, k int, a *float32, ars int, xp *float32, off *int32, x *[4]int, mask uint64, c *float32, ldc int)

// convKernel3AVX512 is convKernel4AVX512 for at most 3 rows (3 readable).
//
//go:noescape
func convKernel3AVX512(m, k int, a *float32, ars int, xp *float32, off *int32, x *[4]int, mask uint64, c *float32, ldc int)

// convKernel3x8AVX512 computes C (3 × 128) = A · B, A's rows ars apart,
// B[p][16·r + l] = xp[x[r] + off[p] + l], overwriting C.
//
//go:noescape
func convKernel3x8AVX512(k int, a *float32, ars int, xp *float32, off *int32, x *[8]int, c *float32, ldc int)

// convGemmRuns computes C (m × n) = W · B with B read from xp by
// convKernel48AVX512 and convKernelAVX512, 48 and 32 columns a tile:
// column j of B is xp[off[p] + base(j)], and base(j+1) = base(j) + 1
// within every run of 16 columns from a multiple of 16. With ones set, B's
// last row is all ones.
func convGemmRuns(m int, w []float32, ldw int, xp []float32, off []int32, n int, base func(int) int, beta float32, ones bool, c []float32, ldc int) {
	k := len(off)
	mFull := m / 8 * 8
	var ws *gemmWorkspace
	if mFull < m {
		// The last rows, zero-padded to a whole tile, since the kernel
		// reads eight rows of A.
		ws = zeroPaddedRows(w[mFull*ldw:], ldw, m-mFull, 8, k)
	}
	if mFull > 0 {
		_ = w[(mFull-1)*ldw+k-1]
	}
	n48 := tiles48(n)
	for jt := 0; jt < n48; jt += 48 {
		x0, x1, x2 := base(jt), base(jt+16), base(jt+32)
		_ = xp[int(off[0])+x0]
		_ = xp[int(off[k-1])+x2+15]
		_ = c[(m-1)*ldc+jt+47]
		if mFull > 0 {
			convKernel48AVX512(mFull, 48, k, w, ldw, xp, off, x0, x1, x2, c[jt:], ldc, beta, ones)
		}
		if mFull < m {
			convKernel48AVX512(m-mFull, 48, k, ws.a, k, xp, off, x0, x1, x2, c[mFull*ldc+jt:], ldc, beta, ones)
		}
	}
	for jt := n48; jt < n; jt += 32 {
		cols := min(32, n-jt)
		x0, x1 := base(jt), base(jt)
		last := x0 + min(cols, 16) - 1
		if cols > 16 {
			x1 = base(jt + 16)
			last = x1 + cols - 17
		}
		_ = xp[int(off[0])+x0]
		_ = xp[int(off[k-1])+last]
		_ = c[(m-1)*ldc+jt+cols-1]
		if mFull > 0 {
			convKernelAVX512(mFull, cols, k, w, ldw, xp, off, x0, x1, c[jt:], ldc, beta, ones)
		}
		if mFull < m {
			convKernelAVX512(m-mFull, cols, k, ws.a, k, xp, off, x0, x1, c[mFull*ldc+jt:], ldc, beta, ones)
		}
	}
	if ws != nil {
		putGemmWorkspace(ws)
	}
}

// tile48 is false only in tests, to compare the 48-column tiles with the
// 32-column ones.
var tile48 = true

// tiles48 is how many of n columns convGemmRuns takes 48 at a time: as
// many whole tiles of 48 as leave a multiple of 32 for the 8×32 tile, so
// that neither tile runs part empty. With r = n/16 runs, r = 3a + 2b for b
// in 0-2 (r = 4: b = 2, a = 0; r = 64, a 32×32 image: a = 20, b = 2).
func tiles48(n int) int {
	if !tile48 {
		return 0
	}
	r := n / 16
	for b := 0; b <= 2 && 2*b <= r; b++ {
		if (r-2*b)%3 == 0 {
			return (r - 2*b) / 3 * 48
		}
	}
	return 0
}

// convKernel48AVX512 is convKernelAVX512 on a tile of up to 48 columns:
// lanes 32-47 of row p of B are xp[x2+off[p]:][:16].
//
//go:noescape
func convKernel48AVX512(m, n, k int, a []float32, ars int, xp []float32, off []int32, x0, x1, x2 int, c []float32, ldc int, beta float32, ones bool)

// ConvGemmWideFast reports whether ConvGemmWide runs on vector registers
// (AVX-512); without them it is a scalar reference.
func ConvGemmWideFast() bool { return hasAVX512 }

// convGemmWide is ConvGemmWide's product, on convKernelAVX512.
func convGemmWide(m int, w []float32, ldw int, xp []float32, off []int32, q0, n int, beta float32, c []float32, ldc int) {
	if !hasAVX512 {
		convGemmWideGo(m, w, ldw, xp, off, q0, n, beta, c, ldc)
		return
	}
	convGemmRuns(m, w, ldw, xp, off, n, func(j int) int { return q0 + j }, beta, false, c, ldc)
}

// convKernelAVX512 computes an m×n block of C, n ≤ 32, as gemmKernelAVX512
// does for alpha 1, with A in place (aks = 1; A must hold the rows up to
// the next multiple of 8) and B read from the padded image: lanes 0-15 of
// row p of B are xp[x0+off[p]:][:16] and lanes 16-31 xp[x1+off[p]:][:16]:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				x := x0
//				if j >= 16 {
//					x = x1 - 16
//				}
//				s += a[i*ars+p] * xp[x+int(off[p])+j]   // one FMA
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s
//			} else {
//				c[i*ldc+j] = s + beta*c[i*ldc+j]   // one FMA
//			}
//		}
//	}
//
// With ones set, B's row k-1 must be all ones, and its term is added
// without the multiply: s += a[i*ars+k-1], the same bits.
//
//go:noescape
func convKernelAVX512(m, n, k int, a []float32, ars int, xp []float32, off []int32, x0, x1 int, c []float32, ldc int, beta float32, ones bool)

// covered returns the lanes the segments cover.
func covered(segs []convSeg) uint64 {
	var m uint64
	for _, s := range segs {
		m |= uint64(s.mask)
	}
	return m
}

// convGather4AVX512 is convGatherAVX512 for w = 32 and rows whose quarters
// are each one run of 8 pixels: lanes 8q to 8q+7 take
// xp[off[p] + d[q] + lane]:
//
//	for p := 0; p < k; p++ {
//		for l := 0; l < 32; l++ {
//			dst[p*ldd+l] = xp[int(off[p])+d[l/8]+l]
//		}
//	}
//
//go:noescape
func convGather4AVX512(k int, xp []float32, off []int32, d *[4]int, dst []float32, ldd int)

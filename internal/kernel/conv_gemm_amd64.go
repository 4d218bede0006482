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
	}
	convGatherAVX512(k, xp, off, segs, dst, ldd, w)
}

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

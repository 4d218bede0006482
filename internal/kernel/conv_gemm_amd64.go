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
	convGatherAVX512(k, xp, off, segs, dst, ldd, w)
}

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

package kernel

import "fmt"

// Direct weight gradient of a stride-1 convolution, without a column
// matrix. With the output gradient laid out at the padded image's width Wp
// (dOut'[f][oy·Wp + ox] = dOut[f][oy·OW + ox] for ox < OW, 0 in the other
// Wp-OW columns), the gradient of weight (f, r), r = (c,ki,kj), is one dot
// product over the pixels q of the output grid:
//
//	dW[f][r] = Σ_q dOut'[f][q] · xp[off[r] + q],   off[r] = c·Hp·Wp + ki·DH·Wp + kj·DW
//
// (ConvOffsets). A valid q = oy·Wp + ox reads the pixel (oy+ki·DH, ox+kj·DW)
// of plane c; the other q multiply a zero of dOut', so what they read only
// has to be there. The products are 6 filters × 4 taps at a time, 16 pixels
// a step: six loads of dOut', four (unaligned) of the image, 24 FMAs into 24
// registers, with nothing packed or written on the way.
//
// The 24 sums are kept as vectors (acc) across calls, and reduced to
// scalars once, by ConvWgradReduce, when all the examples are in.

// convWgradRows and convWgradTaps are the kernel's block: 6 rows of dOut'
// (filters) by 4 taps.
const (
	convWgradRows = 6
	convWgradTaps = 4
	convWgradAcc  = convWgradRows * convWgradTaps * 16 // floats of one block's sums
)

// ConvWgradAccLen is the length of the vector sums ConvWgradAccumulate keeps
// for rows filters and taps taps.
func ConvWgradAccLen(rows, taps int) int {
	return ceilDiv(rows, convWgradRows) * ceilDiv(taps, convWgradTaps) * convWgradAcc
}

// ConvWgradRowsAlloc is how many rows of a ConvWgradAccumulate reads for
// rows filters: whole blocks of 6. The extra rows' sums are thrown away, so
// their contents do not matter.
func ConvWgradRowsAlloc(rows int) int { return ceilDiv(rows, convWgradRows) * convWgradRows }

// ConvWgradAccumulate adds, for every filter r < rows, tap t < len(off) and
// example e < ne, the dot product
//
//	Σ_{i<n} a[r·lda + e·astr + i] · b[e·bstr + off[t] + i]
//
// into the vector sums acc (ConvWgradAccLen(rows, len(off)) values), where
// n is a multiple of 16. a must hold ConvWgradRowsAlloc(rows) rows; taps are
// taken 4 at a time, the last block repeating its last tap.
func ConvWgradAccumulate(rows int, a []float32, lda, astr int, b []float32, bstr int, off []int32, n, ne int, acc []float32) {
	taps := len(off)
	if rows <= 0 || taps == 0 || n <= 0 || ne <= 0 {
		return
	}
	if n%16 != 0 {
		panic(fmt.Sprintf("kernel: ConvWgradAccumulate: n = %d is not a multiple of 16", n))
	}
	ra := ConvWgradRowsAlloc(rows)
	maxOff := int32(0)
	for _, o := range off {
		if o < 0 {
			panic("kernel: ConvWgradAccumulate: negative offset")
		}
		maxOff = max(maxOff, o)
	}
	if len(a) < (ra-1)*lda+(ne-1)*astr+n || len(b) < (ne-1)*bstr+int(maxOff)+n ||
		len(acc) < ConvWgradAccLen(rows, taps) {
		panic(fmt.Sprintf("kernel: ConvWgradAccumulate: buffers too short (a %d, b %d, acc %d)", len(a), len(b), len(acc)))
	}
	tb := ceilDiv(taps, convWgradTaps)
	var o4 [convWgradTaps]int
	for r0 := 0; r0 < ra; r0 += convWgradRows {
		for t0 := 0; t0 < taps; t0 += convWgradTaps {
			for j := range o4 {
				o4[j] = int(off[min(t0+j, taps-1)])
			}
			blk := acc[(r0/convWgradRows*tb+t0/convWgradTaps)*convWgradAcc:][:convWgradAcc]
			convWgradBlock(a[r0*lda:], lda, astr, b, bstr, &o4, n/16, ne, (*[convWgradAcc]float32)(blk))
		}
	}
}

// ConvWgradReduce adds the sums in acc to dst[r·ldd + t] for r < rows and t
// < taps, and zeroes acc for the next gradient.
func ConvWgradReduce(rows, taps int, acc []float32, dst []float32, ldd int) {
	tb := ceilDiv(taps, convWgradTaps)
	for r := 0; r < rows; r++ {
		for t := 0; t < taps; t++ {
			blk := (r/convWgradRows*tb + t/convWgradTaps) * convWgradAcc
			v := acc[blk+((t%convWgradTaps)*convWgradRows+r%convWgradRows)*16:][:16]
			// Pairwise, in a fixed order.
			var h [8]float32
			for i := range h {
				h[i] = v[i] + v[i+8]
			}
			s := ((h[0] + h[4]) + (h[2] + h[6])) + ((h[1] + h[5]) + (h[3] + h[7]))
			dst[r*ldd+t] += s
		}
	}
	clear(acc[:ConvWgradAccLen(rows, taps)])
}

// convWgradBlockGo is the reference of the kernel: the block's sums
// acc[(t·6 + r)·16 + l] gain a[r·lda + e·astr + 16·i + l] ·
// b[e·bstr + off[t] + 16·i + l] for i < blocks and e < ne.
func convWgradBlockGo(a []float32, lda, astr int, b []float32, bstr int, off *[convWgradTaps]int, blocks, ne int, acc *[convWgradAcc]float32) {
	for e := 0; e < ne; e++ {
		for t := 0; t < convWgradTaps; t++ {
			bt := b[e*bstr+off[t]:][:blocks*16]
			for r := 0; r < convWgradRows; r++ {
				ar := a[r*lda+e*astr:][:blocks*16]
				s := acc[(t*convWgradRows+r)*16:][:16]
				for i := 0; i < len(ar); i += 16 {
					for l := range s {
						s[l] += ar[i+l] * bt[i+l]
					}
				}
			}
		}
	}
}

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
// registers, with nothing packed or written on the way. One or two
// filters past the last whole block of 6 go as a pair (8 FMAs for 6 loads)
// instead of one more block of 6 that would redo 4 or 5 rows: CIFAR's
// first layer, 32 filters, computed 36 rows so. A pair costs about 3 rows
// of a block of 6, so 3-5 filters past the last whole block still go as a
// block of 6 that repeats a few rows.
//
// When OW is a multiple of 16, q can instead run over the output's rows
// alone (ConvWgradPixels), a row of dOut and of xp a stride apart each:
// nothing is then read for the Wp-OW columns, and dOut can be read where
// it is, OW wide.
//
// The 24 sums are kept as vectors (acc) across calls, and reduced to
// scalars once, by ConvWgradReduce, when all the examples are in.

// convWgradRows and convWgradTaps are the kernel's block: 6 rows of dOut'
// (filters) by 4 taps; convWgradPairRows is the rows of the narrow block
// that takes the last filters.
const (
	convWgradRows     = 6
	convWgradTaps     = 4
	convWgradAcc      = convWgradRows * convWgradTaps * 16 // floats of one block's sums
	convWgradPairRows = 2
	convWgradPairAcc  = convWgradPairRows * convWgradTaps * 16
)

// convWgradSplit is how ConvWgradAccumulate cuts rows filters into blocks:
// six blocks of 6 rows, then pairs (0 or 1) blocks of 2. Up to 6 rows are
// one block of 6. Of more, 1 or 2 rows past the last whole block of 6 are a
// pair (which repeats the row before for 1), and 3-5 one more block of 6
// that starts 6 rows from the end. Measured alternately, 1 thread: CIFAR's
// first layer (32 filters) 149 -> 162 GFLOP/s for the weight gradient
// alone with a pair; LeNet-5's second (16 filters) 119 -> 113 with two
// pairs instead of a block that repeats 2 rows.
func convWgradSplit(rows int) (six, pairs int) {
	if rows <= convWgradRows {
		return 1, 0
	}
	six, rest := rows/convWgradRows, rows%convWgradRows
	switch {
	case rest == 0:
		return six, 0
	case rest <= convWgradPairRows:
		return six, 1
	}
	return six + 1, 0
}

// ConvWgradAccLen is the length of the vector sums ConvWgradAccumulate keeps
// for rows filters and taps taps.
func ConvWgradAccLen(rows, taps int) int {
	six, pairs := convWgradSplit(rows)
	return ceilDiv(taps, convWgradTaps) * (six*convWgradAcc + pairs*convWgradPairAcc)
}

// ConvWgradRowsAlloc is how many rows of a ConvWgradAccumulate reads for
// rows filters: a whole block of 6 when there are fewer, else rows itself
// (a last block that would reach past rows starts earlier, see
// convWgradBlockRow and convWgradPairRow).
func ConvWgradRowsAlloc(rows int) int { return max(rows, convWgradRows) }

// convWgradBlockRow is the first row of the block of 6 that holds row r0, a
// multiple of 6: r0 itself, or rows-6 for a last block that would reach
// past rows, so that it reads no row past the last; the rows it repeats
// are the block before's, and ConvWgradReduce takes them from there.
func convWgradBlockRow(r0, rows int) int {
	if rows >= convWgradRows && r0+convWgradRows > rows {
		return rows - convWgradRows
	}
	return r0
}

// convWgradPairRow is the first row of pair j after six blocks of 6, or
// rows-2 when that would reach past rows: the pair then repeats the last
// row of the block before.
func convWgradPairRow(j, six, rows int) int {
	return min(six*convWgradRows+j*convWgradPairRows, rows-convWgradPairRows)
}

// ConvWgradPixels are the pixels the sums of ConvWgradAccumulate run over:
// Height rows of Width pixels, Width a multiple of 16, a row AStride values
// after the one before in a and BStride in b. One row of n pixels
// (ConvWgradRun) is a layout whose rows are padded to the image's width,
// the padding zero in a; rows of the output's own width skip that padding.
type ConvWgradPixels struct {
	Width, Height    int
	AStride, BStride int
}

// ConvWgradRun is n pixels one after another.
func ConvWgradRun(n int) ConvWgradPixels {
	return ConvWgradPixels{Width: n, Height: 1, AStride: n, BStride: n}
}

// span is how far a row's pixels reach from the first, in a and in b.
func (p ConvWgradPixels) span() (a, b int) {
	return (p.Height-1)*p.AStride + p.Width, (p.Height-1)*p.BStride + p.Width
}

// ConvWgradAccumulate adds, for every filter r < rows, tap t < len(off) and
// example e < ne, the dot product over the pixels of px, pixel i of row y
// at
//
//	Σ a[r·lda + e·astr + y·px.AStride + i] · b[e·bstr + off[t] + y·px.BStride + i]
//
// into the vector sums acc (ConvWgradAccLen(rows, len(off)) values). a
// must hold ConvWgradRowsAlloc(rows) rows; taps are taken 4 at a time, the
// last block repeating its last tap.
func ConvWgradAccumulate(rows int, a []float32, lda, astr int, b []float32, bstr int, off []int32, px ConvWgradPixels, ne int, acc []float32) {
	convWgradAccumulate(rows, a, lda, astr, b, bstr, off, px, ne, false, acc)
}

// ConvWgradAccumulateOnes is ConvWgradAccumulate with the last tap a plane
// of ones in b (the bias's row of the column matrix, whose sums are the
// bias gradient). When the taps are a multiple of 4, the blocks of 6 rows
// add the rows of a for it instead of loading ones and multiplying, on the
// adders rather than the FMA units: the same bits. On CIFAR's first layer
// (27 taps and the bias) that is 6 FMAs of the 24 in a seventh of the
// blocks.
func ConvWgradAccumulateOnes(rows int, a []float32, lda, astr int, b []float32, bstr int, off []int32, px ConvWgradPixels, ne int, acc []float32) {
	if len(off) == 0 || int(off[len(off)-1]) >= len(b) || b[off[len(off)-1]] != 1 {
		panic("kernel: ConvWgradAccumulateOnes: the last tap does not point at a plane of ones")
	}
	convWgradAccumulate(rows, a, lda, astr, b, bstr, off, px, ne, true, acc)
}

// convWgradAccumulate is ConvWgradAccumulate; with ones set, the last tap
// is a plane of ones.
func convWgradAccumulate(rows int, a []float32, lda, astr int, b []float32, bstr int, off []int32, px ConvWgradPixels, ne int, ones bool, acc []float32) {
	taps := len(off)
	if rows <= 0 || taps == 0 || px.Width <= 0 || px.Height <= 0 || ne <= 0 {
		return
	}
	if px.Width%16 != 0 || px.Height > 1 && (px.AStride < px.Width || px.BStride < px.Width) {
		panic(fmt.Sprintf("kernel: ConvWgradAccumulate: rows of %d pixels %d and %d apart", px.Width, px.AStride, px.BStride))
	}
	ra := ConvWgradRowsAlloc(rows)
	maxOff := int32(0)
	for _, o := range off {
		if o < 0 {
			panic("kernel: ConvWgradAccumulate: negative offset")
		}
		maxOff = max(maxOff, o)
	}
	aspan, bspan := px.span()
	if len(a) < (ra-1)*lda+(ne-1)*astr+aspan || len(b) < (ne-1)*bstr+int(maxOff)+bspan ||
		len(acc) < ConvWgradAccLen(rows, taps) {
		panic(fmt.Sprintf("kernel: ConvWgradAccumulate: buffers too short (a %d, b %d, acc %d)", len(a), len(b), len(acc)))
	}
	tb := ceilDiv(taps, convWgradTaps)
	var o4 [convWgradTaps]int
	st := convWgradStepsFor(px, astr, bstr)
	taps4 := func(t0 int) *[convWgradTaps]int {
		for j := range o4 {
			o4[j] = int(off[min(t0+j, taps-1)])
		}
		return &o4
	}
	six, pairs := convWgradSplit(rows)
	for i := range six {
		first := convWgradBlockRow(i*convWgradRows, rows)
		for t0 := 0; t0 < taps; t0 += convWgradTaps {
			blk := acc[(i*tb+t0/convWgradTaps)*convWgradAcc:][:convWgradAcc]
			lastOnes := ones && taps%convWgradTaps == 0 && t0+convWgradTaps == taps
			convWgradBlock(a[first*lda:], lda, astr, b, bstr, taps4(t0), px, &st, ne, lastOnes, (*[convWgradAcc]float32)(blk))
		}
	}
	pairAcc := acc[six*tb*convWgradAcc:]
	for j := range pairs {
		first := convWgradPairRow(j, six, rows)
		for t0 := 0; t0 < taps; t0 += convWgradTaps {
			blk := pairAcc[(j*tb+t0/convWgradTaps)*convWgradPairAcc:][:convWgradPairAcc]
			convWgradPair(a[first*lda:], lda, astr, b, bstr, taps4(t0), px, &st, ne, (*[convWgradPairAcc]float32)(blk))
		}
	}
}

// convWgradSteps is px's loop for the assembly kernel: vecs 16-pixel steps
// a row, rows rows an example, and the pointers' moves in bytes past a
// row's steps to the next row (aRow, bRow) and past an example's rows to
// the next example (aEx, bEx). The kernel reads it by offset: keep the
// field order.
type convWgradSteps struct{ vecs, rows, aRow, bRow, aEx, bEx int }

func convWgradStepsFor(px ConvWgradPixels, astr, bstr int) convWgradSteps {
	const f = 4 // bytes a value
	return convWgradSteps{
		vecs: px.Width / 16, rows: px.Height,
		aRow: f * (px.AStride - px.Width), bRow: f * (px.BStride - px.Width),
		aEx: f * (astr - px.Height*px.AStride), bEx: f * (bstr - px.Height*px.BStride),
	}
}

// ConvWgradReduce adds the sums in acc to dst[r·ldd + t] for r < rows and t
// < taps, and zeroes acc for the next gradient.
func ConvWgradReduce(rows, taps int, acc []float32, dst []float32, ldd int) {
	tb := ceilDiv(taps, convWgradTaps)
	for r := 0; r < rows; r++ {
		at, size, n, slot := convWgradSums(r, rows, tb)
		for t := 0; t < taps; t++ {
			v := acc[at+t/convWgradTaps*size+((t%convWgradTaps)*n+slot)*16:][:16]
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

// convWgradSums locates the sums of row r of rows in ConvWgradAccumulate's
// acc, for tb blocks of 4 taps: tap t's 16 sums start at at + (t/4)·size +
// ((t%4)·n + slot)·16, in the block of n rows (6, or 2 for a pair) that
// holds r at slot.
func convWgradSums(r, rows, tb int) (at, size, n, slot int) {
	six, _ := convWgradSplit(rows)
	if i := r / convWgradRows; i < six {
		return i * tb * convWgradAcc, convWgradAcc, convWgradRows, r - convWgradBlockRow(i*convWgradRows, rows)
	}
	j := (r - six*convWgradRows) / convWgradPairRows
	return six*tb*convWgradAcc + j*tb*convWgradPairAcc, convWgradPairAcc, convWgradPairRows, r - convWgradPairRow(j, six, rows)
}

// convWgradBlockGo is the reference of the kernels, for a block of nr rows
// (6, or 2 for a pair): the block's sums acc[(t·nr + r)·16 + l] gain
// a[r·lda + e·astr + y·px.AStride + 16·i + l] · b[e·bstr + off[t] +
// y·px.BStride + 16·i + l] for i < px.Width/16, rows y < px.Height and e <
// ne.
func convWgradBlockGo(nr int, a []float32, lda, astr int, b []float32, bstr int, off *[convWgradTaps]int, px ConvWgradPixels, ne int, acc []float32) {
	for e := 0; e < ne; e++ {
		for y := 0; y < px.Height; y++ {
			for t := 0; t < convWgradTaps; t++ {
				bt := b[e*bstr+off[t]+y*px.BStride:][:px.Width]
				for r := 0; r < nr; r++ {
					ar := a[r*lda+e*astr+y*px.AStride:][:px.Width]
					s := acc[(t*nr+r)*16:][:16]
					for i := 0; i < len(ar); i += 16 {
						for l := range s {
							s[l] += ar[i+l] * bt[i+l]
						}
					}
				}
			}
		}
	}
}

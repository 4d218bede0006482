package kernel

import "fmt"

// Implicit-GEMM convolution for stride 1: the GEMM's B operand is the im2col
// matrix of a zero-padded image, but it is never written out. Row r =
// (c,ki,kj) and column j = oy·OW + ox of that matrix is
//
//	col[r][j] = xp[off[r] + oy·Wp + ox],   off[r] = c·Hp·Wp + ki·DH·Wp + kj·DW
//
// so packing a panel of B for the micro-kernel reads the padded image
// directly: for each row, the panel's 32 columns are at most a few runs of
// consecutive pixels (one run per output row they cover), each one masked
// vector load. The column matrix is read once, from an image that stays in
// L2, instead of written by im2col and read back by the packing.

// ConvOffsets returns off[r] for every row r = (c·KH + ki)·KW + kj of the
// column matrix of a stride-1 convolution g over its padded image (see
// ConvGemm). Callers keep it beside the layer, so each call allocates
// nothing.
func ConvOffsets(g ConvGeom) []int32 {
	hp, wp := g.Padded()
	off := make([]int32, 0, g.ColRows())
	for c := 0; c < g.C; c++ {
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				off = append(off, int32(c*hp*wp+ki*g.DH*wp+kj*g.DW))
			}
		}
	}
	return off
}

// convCols is the implicit column matrix of a stride-1 convolution: element
// [r][j] is xp[off[r] + base(j)], base(oy·OW + ox) = oy·Wp + ox.
type convCols struct {
	xp     []float32
	off    []int32
	ow, wp int
	j0     int // the pixel of B's column 0

	// With per > 0, B's columns come from several images estr values
	// apart in xp, per columns from each: column e·per + j is pixel j0 + j
	// of image e (ConvGemmImages).
	per, estr int
}

// A convSeg is a run of lanes of one packed row of B that come from
// consecutive pixels of one output row: lane l, for l in mask, takes
// xp[off[r] + disp + l].
type convSeg struct {
	mask uint32
	disp int32
}

// segments splits the cols columns from pixel j0 into runs within output
// rows, one convSeg each, into segs (which has room for 32).
func (cc *convCols) segments(j0, cols int, segs *[32]convSeg) []convSeg {
	if cc.per > 0 {
		return cc.imageSegments(j0, cols, segs)
	}
	s := segs[:0]
	for lane := 0; lane < cols; {
		j := j0 + lane
		oy, ox := j/cc.ow, j%cc.ow
		l := min(cc.ow-ox, cols-lane)
		s = append(s, convSeg{mask: uint32((uint64(1)<<l - 1) << lane), disp: int32(oy*cc.wp + ox - lane)})
		lane += l
	}
	return s
}

// imageSegments is segments for columns from several images (cc.per > 0):
// runs end at output rows and at images.
func (cc *convCols) imageSegments(j0, cols int, segs *[32]convSeg) []convSeg {
	s := segs[:0]
	for lane := 0; lane < cols; {
		col := j0 - cc.j0 + lane
		e, j := col/cc.per, cc.j0+col%cc.per
		oy, ox := j/cc.ow, j%cc.ow
		l := min(cc.ow-ox, cols-lane, cc.per-col%cc.per)
		s = append(s, convSeg{mask: uint32((uint64(1)<<l - 1) << lane), disp: int32(e*cc.estr + oy*cc.wp + ox - lane)})
		lane += l
	}
	return s
}

// pack writes the k×n block of the column matrix at (p0, j0) into dst as
// packB does: panels nr wide (the last narrowNR wide if it fits), columns
// past n zero.
func (cc *convCols) pack(p0, k, j0, n, nr, narrowNR int, dst []float32) {
	var segs [32]convSeg
	off := cc.off[p0 : p0+k]
	for jr := 0; jr < n; jr += nr {
		cols := min(nr, n-jr)
		w := nr
		if cols <= narrowNR {
			w = narrowNR
		}
		convGather(k, cc.xp, off, cc.segments(cc.j0+j0+jr, cols, &segs), dst[jr*k:jr*k+w*k], w, w)
	}
}

// convGatherGo is the reference for convGather: for p < k and lane < w,
//
//	dst[p·ldd + lane] = xp[off[p] + s.disp + lane]   for the segment s whose mask holds lane,
//	                  = 0                             if no segment does.
func convGatherGo(k int, xp []float32, off []int32, segs []convSeg, dst []float32, ldd, w int) {
	for p := 0; p < k; p++ {
		row := dst[p*ldd : p*ldd+w]
		clear(row)
		for _, s := range segs {
			for l := 0; l < w; l++ {
				if s.mask&(1<<l) != 0 {
					row[l] = xp[int(off[p])+int(s.disp)+l]
				}
			}
		}
	}
}

// gatherHalves splits segs by the half of the row their lanes fall in,
// for convGatherHalvesAVX512: entries 0-2 load lanes 0-15, entries 3-5
// lanes 16-31, each with its segment's mask for that half and its
// displacement; unused entries have mask 0. It reports false when a half
// takes more than three segments (output rows under 8 pixels wide).
func gatherHalves(segs []convSeg, w int) (m [6]uint16, d [6]int, ok bool) {
	var n [2]int
	for _, s := range segs {
		for h := range w / 16 {
			hm := uint16(s.mask >> (16 * h))
			if hm == 0 {
				continue
			}
			if n[h] == 3 {
				return m, d, false
			}
			i := 3*h + n[h]
			m[i], d[i] = hm, int(s.disp)
			n[h]++
		}
	}
	return m, d, true
}

// ConvGemm computes C = W·col + beta·C, where col is the column matrix of
// the stride-1 convolution g (SH = SW = 1) over the zero-padded image xp
// (C, Hp, Wp), with off = ConvOffsets(g):
//
//	col[r][oy·OW + ox] = xp[off[r] + oy·Wp + ox]
//
// W is m × len(off) with row stride ldw, and C (the output) m × OH·OW with
// row stride ldc. With beta == 0, C is overwritten. It is Sgemm with B
// packed straight from xp, so the column matrix is never written.
//
// off may go on past ConvOffsets(g) with more increasing offsets into xp,
// rows of col that are not the image's: a plane of ones after the image
// and a last column of W holding the bias add the bias in the product.
func ConvGemm(g ConvGeom, m int, w []float32, ldw int, xp []float32, off []int32, beta float32, c []float32, ldc int) {
	ConvGemmCols(g, m, w, ldw, xp, off, 0, g.OutH()*g.OutW(), beta, c, ldc)
}

// ConvGemmCols is ConvGemm for columns [j0, j0+n) of col alone, so that
// several goroutines can share one image: C is m × n, and C[i][j] is the
// output at pixel j0+j.
func ConvGemmCols(g ConvGeom, m int, w []float32, ldw int, xp []float32, off []int32, j0, n int, beta float32, c []float32, ldc int) {
	if !checkConvGemm("ConvGemmCols", g, m, w, ldw, xp, 0, 1, off, j0, n, c, ldc) {
		return
	}
	convGemmCols(g, m, w, ldw, xp, off, j0, n, beta, false, c, ldc)
}

// ConvGemmColsOnes is ConvGemmCols (beta 0) for a product with a bias: off
// has one row past ConvOffsets(g), pointing at a plane of ones in xp (one
// padded plane of them past the image), and W's column for that row holds
// the bias. Knowing the row is ones, the unpacked path adds that column
// instead of multiplying it, on the adders rather than the FMA units: the
// same bits. On CIFAR's first layer (27 taps and the bias) that is one
// step in 28 of its forward product.
func ConvGemmColsOnes(g ConvGeom, m int, w []float32, ldw int, xp []float32, off []int32, j0, n int, c []float32, ldc int) {
	if len(off) != g.ColRows()+1 {
		panic(fmt.Sprintf("kernel: ConvGemmColsOnes: %d offsets, want ConvOffsets(g) and one more for the ones", len(off)))
	}
	if !checkConvGemm("ConvGemmColsOnes", g, m, w, ldw, xp, 0, 1, off, j0, n, c, ldc) {
		return
	}
	if last := int(off[len(off)-1]); last >= len(xp) || xp[last] != 1 {
		panic("kernel: ConvGemmColsOnes: the last row of offsets does not point at a plane of ones")
	}
	convGemmCols(g, m, w, ldw, xp, off, j0, n, 0, true, c, ldc)
}

// convGemmCols is ConvGemmCols after the checks; with ones set, B's last
// row is all ones.
func convGemmCols(g ConvGeom, m int, w []float32, ldw int, xp []float32, off []int32, j0, n int, beta float32, ones bool, c []float32, ldc int) {
	if convGemmDirect(g, m, w, ldw, xp, off, j0, n, beta, ones, c, ldc) {
		return
	}
	_, wp := g.Padded()
	cc := convCols{xp: xp, off: off, ow: g.OutW(), wp: wp, j0: j0}
	sgemmPackedB(gemmKernelForCPU(), false, m, n, len(off), 1, w, ldw, &cc, beta, c, ldc)
}

// ConvGemmImages is ConvGemmCols over ne images at once, xp[e·estr:] the
// padded image e, for a few columns of each: C is m × ne·n, and C[i][e·n +
// j] is output i at pixel j0+j of image e, overwritten. It fills the
// micro-kernel's panels with the last few pixels of several images (the 4
// past the 6 full panels of a 14×14 image, say) that would otherwise each
// take a panel mostly of zeros.
func ConvGemmImages(g ConvGeom, m int, w []float32, ldw int, xp []float32, estr, ne int, off []int32, j0, n int, c []float32, ldc int) {
	if !checkConvGemm("ConvGemmImages", g, m, w, ldw, xp, estr, ne, off, j0, n, c, ldc) {
		return
	}
	_, wp := g.Padded()
	cc := convCols{xp: xp, off: off, ow: g.OutW(), wp: wp, j0: j0, per: n, estr: estr}
	sgemmPackedB(gemmKernelForCPU(), false, m, ne*n, len(off), 1, w, ldw, &cc, 0, c, ldc)
}

// checkConvGemm panics, naming fn, unless the arguments of ConvGemmCols
// (ne == 1) or ConvGemmImages fit their slices: columns [j0, j0+n) of the
// output, ne padded images estr values apart in xp, W m × len(off) with
// row stride ldw, C m × ne·n with row stride ldc. It reports whether there
// is anything to compute.
func checkConvGemm(fn string, g ConvGeom, m int, w []float32, ldw int, xp []float32, estr, ne int, off []int32, j0, n int, c []float32, ldc int) bool {
	k := len(off)
	if j0 < 0 || n < 0 || j0+n > g.OutH()*g.OutW() {
		panic("kernel: " + fn + ": columns outside the output")
	}
	if g.SH != 1 || g.SW != 1 || k < g.ColRows() {
		panic("kernel: " + fn + ": stride is not 1 or off is shorter than ConvOffsets(g)")
	}
	hp, wp := g.Padded()
	if ne < 1 || ne > 1 && estr < g.C*hp*wp || len(xp) < (ne-1)*estr+g.C*hp*wp {
		panic("kernel: " + fn + ": xp is shorter than its padded images")
	}
	checkConvOffsets(off)
	if m == 0 || n == 0 {
		return false
	}
	if ldw < k || len(w) < (m-1)*ldw+k {
		panic("kernel: " + fn + ": w is too short")
	}
	if ldc < ne*n || len(c) < (m-1)*ldc+ne*n {
		panic("kernel: " + fn + ": c is too short")
	}
	return true
}

// ConvIm2col writes columns [j0, j0+n) of the column matrix of ConvGemm
// into col (C·KH·KW rows, row stride ldcol): col[r·ldcol + j] =
// xp[off[r] + base(j0+j)]. It is Im2col from the padded image, for
// products that need the matrix itself (the weight gradient).
func ConvIm2col(g ConvGeom, xp []float32, off []int32, j0, n int, col []float32, ldcol int) {
	k := g.ColRows()
	if g.SH != 1 || g.SW != 1 || len(off) != k {
		panic("kernel: ConvIm2col: stride is not 1 or off is not ConvOffsets(g)")
	}
	hp, wp := g.Padded()
	if j0 < 0 || n < 0 || j0+n > g.OutH()*g.OutW() || len(xp) < g.C*hp*wp {
		panic("kernel: ConvIm2col: columns outside the output or xp too short")
	}
	checkConvOffsets(off)
	if n == 0 {
		return
	}
	if ldcol < n || len(col) < (k-1)*ldcol+n {
		panic("kernel: ConvIm2col: col is too short")
	}
	cc := convCols{xp: xp, off: off, ow: g.OutW(), wp: wp}
	var segs [32]convSeg
	j := 0
	for ; j+32 <= n; j += 32 {
		convGather(k, xp, off, cc.segments(j0+j, 32, &segs), col[j:], ldcol, 32)
	}
	if j+16 <= n {
		convGather(k, xp, off, cc.segments(j0+j, 16, &segs), col[j:], ldcol, 16)
		j += 16
	}
	if j < n {
		// The last few columns, fewer than a vector: gathered 16 wide into
		// a block on the stack, rows at a time, and copied from there. The
		// reference, which writes exactly them lane by lane, took 3% of
		// LeNet-5's training step (4 of the 100 columns of each example of
		// its second layer).
		var buf [im2colTailRows * 16]float32
		tail := cc.segments(j0+j, n-j, &segs)
		for p0 := 0; p0 < k; p0 += im2colTailRows {
			rows := min(im2colTailRows, k-p0)
			convGather(rows, xp, off[p0:p0+rows], tail, buf[:], 16, 16)
			for p := 0; p < rows; p++ {
				copy(col[(p0+p)*ldcol+j:(p0+p)*ldcol+n], buf[p*16:])
			}
		}
	}
}

// im2colTailRows is how many rows ConvIm2col gathers at a time for its last
// few columns: a 4 KiB block on the stack.
const im2colTailRows = 64

// checkConvOffsets panics unless off is increasing from 0 or more, as
// ConvOffsets makes it; convGather's bounds check relies on that.
func checkConvOffsets(off []int32) {
	for i, o := range off {
		if o < 0 || i > 0 && o <= off[i-1] {
			panic("kernel: conv offsets are not ConvOffsets(g)")
		}
	}
}

// convNC caps the columns of B that ConvGemm packs at a time (the nc of
// sgemmPacked's blocking): a block of 64 columns stays in L1 and L2 while
// every row of W goes past it. Measured with BenchmarkConvGemm at 32, 64,
// 128, 256 and 1024: 64 was fastest or level on all six shapes; 1024, the
// kernel's nc, was 10-20% slower on 32×32×32 → 32 filters.
const convNC = 64

package nn

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// Conv2D is a 2-D convolution (cross-correlation, as in PyTorch's Conv2d and
// ONNX Conv):
//
//	out[n,f,y,x] = b[f] + Σ_{c∈group(f), i, j} w[f,c,i,j] · in[n, c, y·SH-PadT+i·DH, x·SW-PadL+j·DW]
//
// in is (N,C,H,W), w is (F, C/Groups, KH, KW), b is (F), out is (N,F,OH,OW)
// with OH = (H+PadT+PadB-DH·(KH-1)-1)/SH + 1. Groups splits channels into
// independent convolutions; Groups == C == F is a depthwise convolution.
//
// It runs as GEMMs over the column matrix (im2col), spread over the batch.
// Stride 1 on an AVX-512 CPU takes the implicit path (conv2d_implicit.go):
// the column matrix is read from the padded image as the GEMM packs it, or
// by the micro-kernel itself, and the input gradient is a convolution of
// the output gradient. On that path, layers with few filters compute their
// output at the padded width (conv2d_wide.go), and layers with few filters
// or few taps their weight gradient as dot products over the image
// (conv2d_wgrad.go); other layers with a multiple of 8 input channels
// compute theirs with the column matrix read from the image
// (conv2d_wgrad_image.go). The forward pass of a 3-channel 3×3 layer with
// padding 1 on images a multiple of 32 wide (CIFAR's first layer) is
// Winograd's F(2×2, 3×3) (conv2d_winograd.go). Other stride-1 layers go
// through the shifted column matrix (kernel.Im2colShifted, several small
// examples to one GEMM), as does the input gradient of layers with 5 to 7
// input channels (or fewer, on images not a multiple of 16 wide); other
// strides through Im2col per example and group.
type Conv2D struct {
	Filters                int
	KH, KW                 int
	SH, SW                 int
	PadT, PadL, PadB, PadR int
	DH, DW                 int
	Groups                 int
	NoBias                 bool
	Init                   InitScheme

	W, B *Param
	geom kernel.ConvGeom // per group: C/Groups input channels
	work []convWork      // per-worker scratch
	task convTask

	// The implicit-GEMM path's scratch (conv2d_implicit.go): the row
	// offsets of the column matrices of the input (without and with the
	// row of ones for the bias) and of the output gradient, the weights
	// with the bias as a last column, and the flipped weights of the input
	// gradient.
	off, offBias, offGrad []int32
	offGeom               kernel.ConvGeom // the geometry off and offGrad are for
	wBias, wFlip          []float32
	wino                  []float32 // Winograd path: the transformed filters (conv2d_winograd.go)
	flip                  flipTask
	bias                  biasTask
	gradSum               convGradSum
	steal                 stealRanges // units of the implicit path's per-unit loops

	// The input gradient summed from the rows of its column matrix, on the
	// shifted path (conv2d_shifted.go) or the columns path
	// (conv2d_dxcols.go).
	col2im *kernel.Col2imPlan

	// The input gradient read from the output gradient in place
	// (conv2d_unpadded.go): the plan for gradPlanGeom (nil when it has
	// none), and whether the current Backward takes that path.
	gradPlan     *kernel.UnpaddedPlan
	gradPlanGeom kernel.ConvGeom
	unpadded     bool

	whole bool // a shard replica's: one worker runs every unit (see wholeInShard)
}

// convTask runs Forward's or Backward's loop over a range of examples, or
// on the implicit path of parts of examples (see implicitParts); the layer
// keeps it so kernel.Parallel allocates nothing.
type convTask struct {
	l        *Conv2D
	backward bool
	x, y     []float32 // forward: in → out; backward: in, and dOut in y
	dx       []float32 // backward only; nil when no input gradient is wanted
	parts    int       // implicit path: each example is split in this many parts
}

func (t *convTask) Run(wi, lo, hi int) {
	if t.backward {
		t.l.backwardRange(t.x, t.y, t.dx, &t.l.work[wi], lo, hi)
	} else {
		t.l.forwardRange(t.x, t.y, &t.l.work[wi], lo, hi)
	}
}

type convWork struct {
	id        int         // the worker's index, for l.steal
	col, dcol []float32   // (C/G·KH·KW, OH·OW), or shifted: (C/G·KH·KW, ld)
	dW, dB    []float32   // partial parameter gradients
	dWT       []float32   // implicit path: partial weight gradient, (C/G·KH·KW, F/G) per group
	xp, dxp   []float32   // shifted path: a padded image and its gradient, (C/G, Hp, Wp)
	dxPad     []float32   // columns input gradient: the padded input gradient, (C/G, Hp, ≥ Wp)
	wino      []float32   // Winograd path: the transformed patches of a block of tiles
	xpOnes    []float32   // implicit path: a padded image and a plane of ones, (C/G+1, Hp, Wp)
	xpWide    []float32   // wide path: a padded image and a plane of ones or zeros, (C/G+1, Hp, Wp)
	wide      []float32   // wide path: output rows Wp wide, (F/G, rows·Wp)
	out       []float32   // shifted path: (F/G, ld), output on rows Wp wide
	dOutW     []float32   // shifted path: (F/G, ld), output gradient on rows Wp wide, zero past OW
	wgrad     wgradWork   // direct weight gradient (conv2d_wgrad.go)
	tails     tailImages  // shared tail panels of the forward pass (conv2d_tails.go)
	gradTails tailImages  // and of the input gradient
	tailPass  tailPass    // the product of either, kept here so a pass allocates nothing
	dxpShared []float32   // an output gradient padded for both gradients (backwardSharedPad)
	bp        []float32   // image path: the output gradient packed for the weight gradient (conv2d_wgrad_image.go)
	xpN       paddedSlots // image path: several padded images side by side
}

// NewConv2D returns a conv layer with filters k×k filters, stride 1, no
// padding, no dilation, one group and a bias. Set the fields to change them.
func NewConv2D(filters, k int) *Conv2D {
	return &Conv2D{Filters: filters, KH: k, KW: k, SH: 1, SW: 1, DH: 1, DW: 1, Groups: 1}
}

func (l *Conv2D) Type() string { return "conv" }

// Describe prints the layer in the model text form.
func (l *Conv2D) Describe() string {
	var b strings.Builder
	if l.KH == l.KW {
		fmt.Fprintf(&b, "conv(%d,%d", l.Filters, l.KH)
	} else {
		fmt.Fprintf(&b, "conv(%d,%dx%d", l.Filters, l.KH, l.KW)
	}
	if l.SH != 1 || l.SW != 1 {
		b.WriteString(",stride=" + pair(l.SH, l.SW))
	}
	switch {
	case l.PadT == l.PadL && l.PadT == l.PadB && l.PadT == l.PadR:
		if l.PadT != 0 {
			fmt.Fprintf(&b, ",pad=%d", l.PadT)
		}
	default:
		fmt.Fprintf(&b, ",pad=%d:%d:%d:%d", l.PadT, l.PadL, l.PadB, l.PadR)
	}
	if l.DH != 1 || l.DW != 1 {
		b.WriteString(",dilation=" + pair(l.DH, l.DW))
	}
	if l.Groups != 1 {
		fmt.Fprintf(&b, ",groups=%d", l.Groups)
	}
	if l.NoBias {
		b.WriteString(",bias=false")
	}
	if l.Init != InitAuto {
		fmt.Fprintf(&b, ",init=%s", l.Init)
	}
	b.WriteString(")")
	return b.String()
}

func pair(a, b int) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%dx%d", a, b)
}

func (l *Conv2D) Build(in [][]int) ([]int, error) {
	if len(in) != 1 || len(in[0]) != 3 {
		return nil, fmt.Errorf("%s expects an image input (C,H,W), gets %s", l.Describe(), shapesString(in))
	}
	c, h, w := in[0][0], in[0][1], in[0][2]
	switch {
	case l.Filters < 1 || l.KH < 1 || l.KW < 1 || l.SH < 1 || l.SW < 1 || l.DH < 1 || l.DW < 1 || l.Groups < 1:
		return nil, fmt.Errorf("%s: filters, kernel size, stride, dilation and groups must be at least 1", l.Describe())
	case l.PadT < 0 || l.PadL < 0 || l.PadB < 0 || l.PadR < 0:
		return nil, fmt.Errorf("%s: padding cannot be negative", l.Describe())
	case c%l.Groups != 0 || l.Filters%l.Groups != 0:
		return nil, fmt.Errorf("%s: groups=%d must divide both the %d input channels and the %d filters", l.Describe(), l.Groups, c, l.Filters)
	}
	geom := kernel.ConvGeom{C: c / l.Groups, H: h, W: w, KH: l.KH, KW: l.KW, SH: l.SH, SW: l.SW,
		PadT: l.PadT, PadL: l.PadL, PadB: l.PadB, PadR: l.PadR, DH: l.DH, DW: l.DW}
	if geom != l.geom {
		// The workers' padded buffers keep zero borders laid out for the
		// old geometry; one of the same size (10×12 after 12×10) would
		// otherwise be reused with pixels where the new borders are.
		l.work = nil
	}
	l.geom = geom
	if h+l.PadT+l.PadB < l.DH*(l.KH-1)+1 || w+l.PadL+l.PadR < l.DW*(l.KW-1)+1 {
		return nil, fmt.Errorf("%s: kernel %dx%d (dilated) does not fit the %dx%d input with its padding", l.Describe(), l.DH*(l.KH-1)+1, l.DW*(l.KW-1)+1, h, w)
	}
	if l.W == nil || !tensor.EqualShape(l.W.Value.Shape, []int{l.Filters, c / l.Groups, l.KH, l.KW}) || (l.B == nil) != l.NoBias {
		l.W = NewParam("weight", l.Filters, c/l.Groups, l.KH, l.KW)
		l.B = nil
		if !l.NoBias {
			l.B = NewParam("bias", l.Filters)
			l.B.NoDecay = true
		}
	}
	return []int{l.Filters, l.geom.OutH(), l.geom.OutW()}, nil
}

func (l *Conv2D) Params() []*Param {
	if l.B == nil {
		return []*Param{l.W}
	}
	return []*Param{l.W, l.B}
}

func (l *Conv2D) InitParams(rng *rand.Rand, act string) {
	g := l.geom
	fanIn := g.C * g.KH * g.KW
	fanOut := l.Filters / l.Groups * g.KH * g.KW
	fillWeights(l.W.Value.Data, l.Init.resolve(act), fanIn, fanOut, rng)
	if l.B != nil {
		l.B.Value.Zero()
	}
}

// direct reports whether im2col is the identity (1×1, stride 1, no padding),
// so the input can feed the GEMM as it is.
func (l *Conv2D) direct() bool {
	g := l.geom
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PadT+g.PadL+g.PadB+g.PadR == 0
}

func (l *Conv2D) workers(n int) []convWork {
	w := kernel.Workers(n)
	if l.whole {
		w = min(w, 1)
	}
	for i := len(l.work); i < w; i++ {
		l.work = append(l.work, convWork{id: i})
	}
	return l.work[:w]
}

func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

func (l *Conv2D) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	n := in[0].Shape[0]
	parts := 1
	if l.implicitForward() {
		l.implicitOffsets()
		switch {
		case l.winogradForward():
			l.winogradFilters()
		case l.B != nil:
			l.biasWeights()
		}
		parts = l.implicitParts(n, false)
	}
	work := l.workers(n * parts)
	units := parts
	if l.implicitForward() && l.forwardTailsOn(parts) {
		units = tailUnits(l.geom.OutH() * l.geom.OutW())
	}
	l.steal.reset(n*units, len(work))
	l.task = convTask{l: l, x: in[0].Data, y: out.Data, parts: parts}
	l.run(n * parts)
}

// run runs l.task over [0, n) units: split over the threads, or in one
// piece in a shard replica (see wholeInShard), where the pieces would run
// one after another, each with its own partial weight gradient and
// scratch.
func (l *Conv2D) run(n int) {
	if l.whole {
		if n > 0 {
			l.task.Run(0, 0, n)
		}
		return
	}
	kernel.Parallel(n, &l.task)
}

func (l *Conv2D) setWhole() { l.whole = true }

// forwardRange computes the output of examples [lo, hi) with scratch wk.
func (l *Conv2D) forwardRange(x, out []float32, wk *convWork, lo, hi int) {
	if l.implicitForward() {
		l.forwardImplicit(x, out, wk, lo, hi, l.task.parts)
		return
	}
	if l.shifted() {
		l.forwardShifted(x, out, wk, lo, hi)
		return
	}
	g := l.geom
	inSize := g.C * l.Groups * g.H * g.W
	ohw := g.OutH() * g.OutW()
	fg := l.Filters / l.Groups
	kk := g.ColRows()
	if !l.direct() {
		wk.col = grow(wk.col, kk*ohw)
	}
	for s := lo; s < hi; s++ {
		for gi := 0; gi < l.Groups; gi++ {
			xs := x[s*inSize+gi*g.C*g.H*g.W : s*inSize+(gi+1)*g.C*g.H*g.W]
			col := xs
			if !l.direct() {
				kernel.Im2col(g, xs, wk.col)
				col = wk.col
			}
			o := out[(s*l.Filters+gi*fg)*ohw : (s*l.Filters+(gi+1)*fg)*ohw]
			w := l.W.Value.Data[gi*fg*kk : (gi+1)*fg*kk]
			if l.B != nil {
				for f := 0; f < fg; f++ {
					bv := l.B.Value.Data[gi*fg+f]
					row := o[f*ohw : (f+1)*ohw]
					for i := range row {
						row[i] = bv
					}
				}
				kernel.Sgemm(false, false, fg, ohw, kk, 1, w, kk, col, ohw, 1, o, ohw)
			} else {
				kernel.Sgemm(false, false, fg, ohw, kk, 1, w, kk, col, ohw, 0, o, ohw)
			}
		}
	}
}

func (l *Conv2D) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	n := in[0].Shape[0]
	if n == 0 {
		l.W.Grad.Zero()
		if l.B != nil {
			l.B.Grad.Zero()
		}
		return
	}
	parts := 1
	if l.implicitForward() {
		l.implicitOffsets()
		if dIn[0] != nil && l.implicitInputGrad() {
			l.flipWeights()
		}
		parts = l.implicitParts(n, dIn[0] != nil)
	}
	work := l.workers(n * parts)
	units := parts
	if l.implicitForward() && dIn[0] != nil && l.inputGradTailsOn(parts) {
		units = tailUnits(l.geom.H * l.geom.W)
	}
	l.steal.reset(n*units, len(work))
	// The first worker writes its partial weight gradient straight into
	// W.Grad, which sumGrads then only adds the others to: a copy of the
	// whole gradient fewer (256×256×3×3: 0.8% of 8×256×14×14's forward and
	// backward pass at 1 thread).
	work[0].dW = l.W.Grad.Data
	l.task = convTask{l: l, backward: true, x: in[0].Data, y: dOut.Data, parts: parts}
	if dIn[0] != nil {
		l.task.dx = dIn[0].Data
		if l.shiftedInputGrad() {
			l.planCol2im()
		}
		if l.columnsInputGrad() {
			l.planColumnsCol2im()
		}
		l.planUnpaddedGrad()
	}
	l.run(n * parts)
	l.sumGrads(work)
	if l.B != nil {
		copy(l.B.Grad.Data, work[0].dB)
		for _, wk := range work[1:] {
			addInto(l.B.Grad.Data, wk.dB)
		}
	}
}

// backwardRange accumulates the parameter gradients of examples [lo, hi)
// into wk and writes their input gradients into dx unless it is nil.
func (l *Conv2D) backwardRange(x, dOut, dx []float32, wk *convWork, lo, hi int) {
	if l.implicitForward() {
		l.backwardImplicit(x, dOut, dx, wk, lo, hi, l.task.parts)
		return
	}
	if l.shifted() {
		l.backwardShifted(x, dOut, dx, wk, lo, hi, true)
		return
	}
	g := l.geom
	inSize := g.C * l.Groups * g.H * g.W
	ohw := g.OutH() * g.OutW()
	fg := l.Filters / l.Groups
	kk := g.ColRows()
	if !l.direct() {
		wk.col = grow(wk.col, kk*ohw)
	}
	wk.dcol = grow(wk.dcol, kk*ohw)
	wk.dW = grow(wk.dW, len(l.W.Grad.Data))
	clear(wk.dW)
	if l.B != nil {
		wk.dB = grow(wk.dB, l.Filters)
		clear(wk.dB)
	}
	for s := lo; s < hi; s++ {
		if dx != nil {
			clear(dx[s*inSize : (s+1)*inSize])
		}
		for gi := 0; gi < l.Groups; gi++ {
			xOff := s*inSize + gi*g.C*g.H*g.W
			xs := x[xOff : xOff+g.C*g.H*g.W]
			col := xs
			if !l.direct() {
				kernel.Im2col(g, xs, wk.col)
				col = wk.col
			}
			do := dOut[(s*l.Filters+gi*fg)*ohw : (s*l.Filters+(gi+1)*fg)*ohw]
			// dW_g += dOut_g (fg × ohw) · colᵀ (ohw × kk)
			kernel.Sgemm(false, true, fg, kk, ohw, 1, do, ohw, col, ohw, 1, wk.dW[gi*fg*kk:(gi+1)*fg*kk], kk)
			if l.B != nil {
				for f := 0; f < fg; f++ {
					var sum float32
					for _, v := range do[f*ohw : (f+1)*ohw] {
						sum += v
					}
					wk.dB[gi*fg+f] += sum
				}
			}
			if dx == nil {
				continue
			}
			w := l.W.Value.Data[gi*fg*kk : (gi+1)*fg*kk]
			dxs := dx[xOff : xOff+g.C*g.H*g.W]
			if l.direct() {
				// dx_g = W_gᵀ (kk × fg) · dOut_g (fg × ohw), straight into dx.
				kernel.Sgemm(true, false, kk, ohw, fg, 1, w, kk, do, ohw, 0, dxs, ohw)
				continue
			}
			kernel.Sgemm(true, false, kk, ohw, fg, 1, w, kk, do, ohw, 0, wk.dcol, ohw)
			kernel.Col2im(g, wk.dcol, dxs)
		}
	}
}

func shapesString(in [][]int) string {
	parts := make([]string, len(in))
	for i, s := range in {
		parts[i] = tensor.ShapeString(s)
	}
	return strings.Join(parts, ", ")
}

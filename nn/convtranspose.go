package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// ConvTranspose2D is the transposed 2-D convolution (the adjoint of
// Conv2D, sometimes called deconvolution), as PyTorch's ConvTranspose2d and
// ONNX ConvTranspose:
//
//	out[n,f,y·SH-PadT+i·DH, x·SW-PadL+j·DW] += Σ_{c∈group(f)} w[c,f',i,j] · in[n,c,y,x],   plus b[f]
//
// in is (N,C,H,W), w is (C, Filters/Groups, KH, KW), b is (Filters), out
// is (N,Filters,OH,OW) with
// OH = (H-1)·SH - PadT - PadB + DH·(KH-1) + 1 + OutPadH.
//
// Forward is Conv2D's backward-data pass: a GEMM wᵀ·x into columns, then
// col2im; Backward is Conv2D's forward (im2col of dOut, then a GEMM).
type ConvTranspose2D struct {
	Filters                int
	KH, KW                 int
	SH, SW                 int
	PadT, PadL, PadB, PadR int
	OutPadH, OutPadW       int
	DH, DW                 int
	Groups                 int
	NoBias                 bool
	Init                   InitScheme

	W, B *Param
	c    int             // input channels
	h, w int             // input size
	geom kernel.ConvGeom // per group, over the output: OutH() = h
	work []convWork
}

func (l *ConvTranspose2D) Type() string { return "convtranspose" }

func (l *ConvTranspose2D) Describe() string {
	s := fmt.Sprintf("convtranspose(%d,%s", l.Filters, pair(l.KH, l.KW))
	if l.SH != 1 || l.SW != 1 {
		s += ",stride=" + pair(l.SH, l.SW)
	}
	if l.PadT != 0 || l.PadL != 0 || l.PadB != 0 || l.PadR != 0 {
		s += fmt.Sprintf(",pad=%d:%d:%d:%d", l.PadT, l.PadL, l.PadB, l.PadR)
	}
	if l.OutPadH != 0 || l.OutPadW != 0 {
		s += ",outpad=" + pair(l.OutPadH, l.OutPadW)
	}
	if l.DH != 1 || l.DW != 1 {
		s += ",dilation=" + pair(l.DH, l.DW)
	}
	if l.Groups > 1 {
		s += fmt.Sprintf(",groups=%d", l.Groups)
	}
	if l.NoBias {
		s += ",bias=false"
	}
	return s + ")"
}

func (l *ConvTranspose2D) Build(in [][]int) ([]int, error) {
	if len(in) != 1 || len(in[0]) != 3 {
		return nil, fmt.Errorf("%s expects an image input (C,H,W), gets %s", l.Describe(), shapesString(in))
	}
	if l.Groups == 0 {
		l.Groups = 1
	}
	c, h, w := in[0][0], in[0][1], in[0][2]
	switch {
	case l.Filters < 1 || l.KH < 1 || l.KW < 1 || l.SH < 1 || l.SW < 1 || l.DH < 1 || l.DW < 1 || l.Groups < 1:
		return nil, fmt.Errorf("%s: filters, kernel size, stride, dilation and groups must be at least 1", l.Describe())
	case l.PadT < 0 || l.PadL < 0 || l.PadB < 0 || l.PadR < 0 || l.OutPadH < 0 || l.OutPadW < 0:
		return nil, fmt.Errorf("%s: padding cannot be negative", l.Describe())
	case c%l.Groups != 0 || l.Filters%l.Groups != 0:
		return nil, fmt.Errorf("%s: groups=%d must divide both the %d input channels and the %d filters", l.Describe(), l.Groups, c, l.Filters)
	}
	oh := (h-1)*l.SH - l.PadT - l.PadB + l.DH*(l.KH-1) + 1 + l.OutPadH
	ow := (w-1)*l.SW - l.PadL - l.PadR + l.DW*(l.KW-1) + 1 + l.OutPadW
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("%s: the padding leaves no output from a %dx%d input", l.Describe(), h, w)
	}
	l.c, l.h, l.w = c, h, w
	// Over the output, the window geometry whose convolution gives back an
	// h×w map: the bottom/right padding less the output padding.
	l.geom = kernel.ConvGeom{C: l.Filters / l.Groups, H: oh, W: ow, KH: l.KH, KW: l.KW, SH: l.SH, SW: l.SW,
		PadT: l.PadT, PadL: l.PadL, PadB: l.PadB - l.OutPadH, PadR: l.PadR - l.OutPadW, DH: l.DH, DW: l.DW}
	wshape := []int{c, l.Filters / l.Groups, l.KH, l.KW}
	if l.W == nil || !tensor.EqualShape(l.W.Value.Shape, wshape) || (l.B == nil) != l.NoBias {
		l.W = NewParam("weight", wshape...)
		l.B = nil
		if !l.NoBias {
			l.B = NewParam("bias", l.Filters)
			l.B.NoDecay = true
		}
	}
	return []int{l.Filters, oh, ow}, nil
}

func (l *ConvTranspose2D) Params() []*Param {
	if l.B == nil {
		return []*Param{l.W}
	}
	return []*Param{l.W, l.B}
}

// InitParams draws the weights with fan-in (Filters/Groups)·KH·KW, as
// PyTorch computes it for a transposed convolution's weight shape.
func (l *ConvTranspose2D) InitParams(rng *rand.Rand, act string) {
	fanIn := l.Filters / l.Groups * l.KH * l.KW
	fanOut := l.c / l.Groups * l.KH * l.KW
	fillWeights(l.W.Value.Data, l.Init.resolve(act), fanIn, fanOut, rng)
	if l.B != nil {
		l.B.Value.Zero()
	}
}

func (l *ConvTranspose2D) workers(n int) []convWork {
	w := kernel.Workers(n)
	if len(l.work) < w {
		l.work = append(l.work, make([]convWork, w-len(l.work))...)
	}
	return l.work[:w]
}

func (l *ConvTranspose2D) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x := in[0]
	g := l.geom
	n := x.Shape[0]
	hw := l.h * l.w
	cg := l.c / l.Groups
	kk := g.ColRows() // (Filters/Groups)·KH·KW
	outPlane := g.H * g.W
	work := l.workers(n)
	kernel.ParallelFor(n, func(wi, lo, hi int) {
		wk := &work[wi]
		wk.col = grow(wk.col, kk*hw)
		for s := lo; s < hi; s++ {
			o := out.Data[s*l.Filters*outPlane : (s+1)*l.Filters*outPlane]
			clear(o)
			for gi := 0; gi < l.Groups; gi++ {
				xs := x.Data[(s*l.c+gi*cg)*hw : (s*l.c+(gi+1)*cg)*hw]
				w := l.W.Value.Data[gi*cg*kk : (gi+1)*cg*kk]
				// col (kk × hw) = w_gᵀ (kk × cg) · x_g (cg × hw)
				kernel.Sgemm(true, false, kk, hw, cg, 1, w, kk, xs, hw, 0, wk.col, hw)
				kernel.Col2im(g, wk.col, o[gi*g.C*outPlane:(gi+1)*g.C*outPlane])
			}
			if l.B != nil {
				for f := 0; f < l.Filters; f++ {
					bv := l.B.Value.Data[f]
					row := o[f*outPlane : (f+1)*outPlane]
					for i := range row {
						row[i] += bv
					}
				}
			}
		}
	})
}

func (l *ConvTranspose2D) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	x := in[0]
	g := l.geom
	n := x.Shape[0]
	hw := l.h * l.w
	cg := l.c / l.Groups
	kk := g.ColRows()
	outPlane := g.H * g.W
	dx := dIn[0]
	if n == 0 {
		l.W.Grad.Zero()
		if l.B != nil {
			l.B.Grad.Zero()
		}
		return
	}
	work := l.workers(n)
	kernel.ParallelFor(n, func(wi, lo, hi int) {
		wk := &work[wi]
		wk.col = grow(wk.col, kk*hw)
		wk.dW = grow(wk.dW, len(l.W.Grad.Data))
		clear(wk.dW)
		if l.B != nil {
			wk.dB = grow(wk.dB, l.Filters)
			clear(wk.dB)
		}
		for s := lo; s < hi; s++ {
			do := dOut.Data[s*l.Filters*outPlane : (s+1)*l.Filters*outPlane]
			for gi := 0; gi < l.Groups; gi++ {
				kernel.Im2col(g, do[gi*g.C*outPlane:(gi+1)*g.C*outPlane], wk.col)
				xs := x.Data[(s*l.c+gi*cg)*hw : (s*l.c+(gi+1)*cg)*hw]
				// dW_g (cg × kk) += x_g (cg × hw) · colᵀ (hw × kk)
				kernel.Sgemm(false, true, cg, kk, hw, 1, xs, hw, wk.col, hw, 1, wk.dW[gi*cg*kk:(gi+1)*cg*kk], kk)
				if dx != nil {
					// dx_g (cg × hw) = w_g (cg × kk) · col (kk × hw)
					w := l.W.Value.Data[gi*cg*kk : (gi+1)*cg*kk]
					kernel.Sgemm(false, false, cg, hw, kk, 1, w, kk, wk.col, hw, 0, dx.Data[(s*l.c+gi*cg)*hw:(s*l.c+(gi+1)*cg)*hw], hw)
				}
			}
			if l.B != nil {
				for f := 0; f < l.Filters; f++ {
					var sum float32
					for _, v := range do[f*outPlane : (f+1)*outPlane] {
						sum += v
					}
					wk.dB[f] += sum
				}
			}
		}
	})
	copy(l.W.Grad.Data, work[0].dW)
	for _, wk := range work[1:] {
		addInto(l.W.Grad.Data, wk.dW)
	}
	if l.B != nil {
		copy(l.B.Grad.Data, work[0].dB)
		for _, wk := range work[1:] {
			addInto(l.B.Grad.Data, wk.dB)
		}
	}
}

func init() {
	layerSpecs["convtranspose"] = layerSpec{"convtranspose(F,K[,stride=S][,pad=P|T:L:B:R][,outpad=O][,dilation=D][,groups=G][,bias=false])", func(a *args) (Layer, error) {
		l := &ConvTranspose2D{Filters: a.intAt(0, "filter count", -1), Groups: 1}
		l.KH, l.KW = a.pairAt(1, "kernel size")
		l.SH, l.SW = a.optPair("stride", 1)
		l.PadT, l.PadL, l.PadB, l.PadR = a.optPads()
		l.OutPadH, l.OutPadW = a.optPair("outpad", 0)
		l.DH, l.DW = a.optPair("dilation", 1)
		l.Groups = a.optInt("groups", 1)
		l.NoBias = !a.optBool("bias", true)
		l.Init = a.optInit()
		return l, a.done(2)
	}}
}

package nn

import (
	"fmt"
	"strings"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// MaxPool2D takes the maximum over each window, as PyTorch's MaxPool2d and
// ONNX MaxPool:
//
//	out[n,c,y,x] = max_{i<KH, j<KW} in[n, c, y·SH - PadT + i·DH, x·SW - PadL + j·DW]
//
// in is (N,C,H,W), out is (N,C,OH,OW) with
// OH = ⌊(H + PadT + PadB - DH·(KH-1) - 1)/SH⌋ + 1, rounded up instead with
// CeilMode, where a last window starting past the input and its top padding
// is dropped (see kernel.PoolOutSize). Padding never wins the max.
//
// Backward sends each output gradient to the pixel the maximum came from;
// the argmax indices of the last Forward are kept for it.
type MaxPool2D struct {
	KH, KW                 int
	SH, SW                 int
	PadT, PadL, PadB, PadR int
	DH, DW                 int
	CeilMode               bool

	geom kernel.PoolGeom
	arg  []int32 // (N, C, OH, OW): argmax within each channel plane, reused
	task maxPoolTask
}

// maxPoolTask runs MaxPoolForward, or MaxPoolBackward with backward set,
// over a range of examples. The layer keeps it, so handing it to
// kernel.Parallel allocates nothing.
type maxPoolTask struct {
	g        kernel.PoolGeom
	backward bool
	x, y     []float32 // forward: x → y; backward: dy → dx, x (N,C,H,W), y (N,C,OH,OW)
	arg      []int32
}

func (t *maxPoolTask) Run(_, lo, hi int) {
	g := t.g
	inSize, outSize := g.C*g.H*g.W, g.C*g.OH*g.OW
	for s := lo; s < hi; s++ {
		x, y, arg := t.x[s*inSize:(s+1)*inSize], t.y[s*outSize:(s+1)*outSize], t.arg[s*outSize:(s+1)*outSize]
		if t.backward {
			kernel.MaxPoolBackward(g, y, arg, x)
		} else {
			kernel.MaxPoolForward(g, x, y, arg)
		}
	}
}

// NewMaxPool2D returns a k×k max pool with stride k, no padding and no
// dilation. Set the fields to change them.
func NewMaxPool2D(k int) *MaxPool2D {
	return &MaxPool2D{KH: k, KW: k, SH: k, SW: k, DH: 1, DW: 1}
}

func (l *MaxPool2D) Type() string { return "maxpool" }

// Describe prints the layer in the model text form, e.g. "maxpool(2)" or
// "maxpool(3,stride=2,pad=1)".
func (l *MaxPool2D) Describe() string {
	return describePool("maxpool", l.KH, l.KW, l.SH, l.SW, [4]int{l.PadT, l.PadL, l.PadB, l.PadR}, l.DH, l.DW, l.CeilMode, "")
}

func (l *MaxPool2D) Build(in [][]int) ([]int, error) {
	g, err := buildPool(l.Describe(), in, l.KH, l.KW, l.SH, l.SW, [4]int{l.PadT, l.PadL, l.PadB, l.PadR}, l.DH, l.DW, l.CeilMode)
	if err != nil {
		return nil, err
	}
	l.geom = g
	return []int{g.C, g.OH, g.OW}, nil
}

func (l *MaxPool2D) Params() []*Param { return nil }

func (l *MaxPool2D) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x, g := in[0], l.geom
	n := x.Shape[0]
	outSize := g.C * g.OH * g.OW
	if cap(l.arg) < n*outSize {
		l.arg = make([]int32, n*outSize)
	}
	l.arg = l.arg[:n*outSize]
	l.task = maxPoolTask{g: g, x: x.Data, y: out.Data, arg: l.arg}
	kernel.Parallel(n, &l.task)
}

func (l *MaxPool2D) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	dx := dIn[0]
	if dx == nil {
		return
	}
	l.task = maxPoolTask{g: l.geom, backward: true, x: dx.Data, y: dOut.Data, arg: l.arg}
	kernel.Parallel(in[0].Shape[0], &l.task)
}

// buildPool checks a pooling layer's arguments against its input shape and
// returns the geometry. desc is the layer as the user wrote it, for errors.
func buildPool(desc string, in [][]int, kh, kw, sh, sw int, pad [4]int, dh, dw int, ceil bool) (kernel.PoolGeom, error) {
	if len(in) != 1 || len(in[0]) != 3 {
		return kernel.PoolGeom{}, fmt.Errorf("%s expects an image input (C,H,W), gets %s", desc, shapesString(in))
	}
	c, h, w := in[0][0], in[0][1], in[0][2]
	ekh, ekw := dh*(kh-1)+1, dw*(kw-1)+1 // window extent with dilation
	switch {
	case kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1:
		return kernel.PoolGeom{}, fmt.Errorf("%s: kernel size, stride and dilation must be at least 1", desc)
	case pad[0] < 0 || pad[1] < 0 || pad[2] < 0 || pad[3] < 0:
		return kernel.PoolGeom{}, fmt.Errorf("%s: padding cannot be negative", desc)
	case pad[0] >= ekh || pad[2] >= ekh || pad[1] >= ekw || pad[3] >= ekw:
		return kernel.PoolGeom{}, fmt.Errorf("%s: padding must be smaller than the %dx%d window, or whole windows would see only padding", desc, ekh, ekw)
	case h+pad[0]+pad[2] < ekh || w+pad[1]+pad[3] < ekw:
		return kernel.PoolGeom{}, fmt.Errorf("%s: window %dx%d is larger than the %dx%d input with its padding: pool less or drop a pooling layer", desc, ekh, ekw, h, w)
	}
	return kernel.PoolGeom{
		C: c, H: h, W: w, KH: kh, KW: kw, SH: sh, SW: sw,
		PadT: pad[0], PadL: pad[1], PadB: pad[2], PadR: pad[3], DH: dh, DW: dw,
		OH: kernel.PoolOutSize(h, kh, sh, pad[0], pad[2], dh, ceil),
		OW: kernel.PoolOutSize(w, kw, sw, pad[1], pad[3], dw, ceil),
	}, nil
}

// describePool prints a pooling layer in the model text form: the kernel,
// then only the options that differ from their defaults (stride = kernel).
// extra is appended before the closing parenthesis.
func describePool(name string, kh, kw, sh, sw int, pad [4]int, dh, dw int, ceil bool, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%s", name, pair(kh, kw))
	if sh != kh || sw != kw {
		b.WriteString(",stride=" + pair(sh, sw))
	}
	switch {
	case pad[0] == pad[1] && pad[0] == pad[2] && pad[0] == pad[3]:
		if pad[0] != 0 {
			fmt.Fprintf(&b, ",pad=%d", pad[0])
		}
	default:
		fmt.Fprintf(&b, ",pad=%d:%d:%d:%d", pad[0], pad[1], pad[2], pad[3])
	}
	if dh != 1 || dw != 1 {
		b.WriteString(",dilation=" + pair(dh, dw))
	}
	if ceil {
		b.WriteString(",ceil=true")
	}
	b.WriteString(extra + ")")
	return b.String()
}

package onnx

import (
	"math"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx/onnxpb"
	"github.com/convnet/convnet/tensor"
)

// The operators here run an nn layer, so that each has one implementation
// of its math: the node's attributes become the layer's fields, its weight
// inputs the layer's parameters, and the first axis of the data input the
// batch.

// runLayer builds l for x's per-example shape, lets bind set parameters,
// and runs an inference Forward.
func (n *node) runLayer(l nn.Layer, x *Tensor, bind func() error) (*Tensor, error) {
	if len(x.Shape) < 1 {
		return nil, n.bad("input is a scalar; want a batch axis first")
	}
	outShape, err := l.Build([][]int{x.Shape[1:]})
	if err != nil {
		return nil, n.bad("%v", err)
	}
	// The convolutions' column buffers are a product of kernel and image
	// sizes: cap them as outputs are capped.
	switch l := l.(type) {
	case *nn.Conv2D:
		if _, err := n.checkSize([]int{x.Shape[1] / l.Groups * l.KH * l.KW, outShape[1], outShape[2]}); err != nil {
			return nil, err
		}
	case *nn.ConvTranspose2D:
		if _, err := n.checkSize([]int{l.Filters / l.Groups * l.KH * l.KW, x.Shape[2], x.Shape[3]}); err != nil {
			return nil, err
		}
	}
	if bind != nil {
		if err := bind(); err != nil {
			return nil, err
		}
	}
	out, err := n.newFloat(append([]int{x.Shape[0]}, outShape...)...)
	if err != nil {
		return nil, err
	}
	l.Forward([]*tensor.Tensor{{Shape: x.Shape, Data: x.Float}}, &tensor.Tensor{Shape: out.Shape, Data: out.Float}, false)
	return out, nil
}

// setParam copies t into p after checking its size.
func (n *node) setParam(p *nn.Param, t *Tensor, what string) error {
	if t.Len() != p.Value.Len() {
		return n.bad("%s has shape %v, want %v", what, t.Shape, p.Value.Shape)
	}
	copy(p.Value.Data, t.Float)
	return nil
}

// geometry2D holds a 1-D or 2-D window operator's attributes mapped onto
// the 2-D layers (a 1-D input of length L runs as 1×L).
type geometry2D struct {
	kh, kw, sh, sw, dh, dw int
	pad                    [4]int // top, left, bottom, right
	oneD                   bool
}

// window holds a window operator's attributes per spatial axis.
type window struct {
	ks, strides, dil, begin, end []int
}

// windowAttrs reads kernel_shape (or the kernel's dims), strides,
// dilations, pads and auto_pad for an input of shape (N, C, spatial...)
// with 1 to 3 spatial axes.
func (n *node) windowAttrs(xShape []int, kernel []int) (window, error) {
	return n.windowAttrsPadding(xShape, kernel, n.attrString("auto_pad", "NOTSET"))
}

// windowAttrsPadding is windowAttrs with the auto_pad mode given: NOTSET
// for ConvTranspose, whose auto_pad pads the output instead.
func (n *node) windowAttrsPadding(xShape []int, kernel []int, autoPad string) (window, error) {
	var w window
	sp := len(xShape) - 2
	if sp < 1 || sp > 3 {
		return w, n.unsupported("%d-D input (convnet has 1-D, 2-D and 3-D windows)", sp)
	}
	ks, err := n.toInts(n.attrInts("kernel_shape"), "kernel_shape")
	if err != nil {
		return w, err
	}
	if ks == nil {
		ks = kernel
	}
	if len(ks) != sp || (kernel != nil && !equalInts(ks, kernel)) {
		return w, n.bad("kernel_shape %v does not fit the %d-D input (kernel %v)", ks, sp, kernel)
	}
	ones := func() []int {
		o := make([]int, sp)
		for i := range o {
			o[i] = 1
		}
		return o
	}
	strides, err := n.toInts(n.attrInts("strides"), "strides")
	if err != nil {
		return w, err
	}
	if strides == nil {
		strides = ones()
	}
	dil, err := n.toInts(n.attrInts("dilations"), "dilations")
	if err != nil {
		return w, err
	}
	if dil == nil {
		dil = ones()
	}
	pads, err := n.toInts(n.attrInts("pads"), "pads")
	if err != nil {
		return w, err
	}
	if pads == nil {
		pads = make([]int, 2*sp)
	}
	if len(strides) != sp || len(dil) != sp || len(pads) != 2*sp {
		return w, n.bad("strides %v, dilations %v or pads %v do not fit a %d-D input", strides, dil, pads, sp)
	}
	for i := 0; i < sp; i++ {
		if ks[i] < 1 || strides[i] < 1 || dil[i] < 1 {
			return w, n.bad("kernel, strides and dilations must be positive")
		}
	}
	switch mode := autoPad; mode {
	case "NOTSET", "":
	case "VALID":
		clear(pads)
	case "SAME_UPPER", "SAME_LOWER":
		for i := 0; i < sp; i++ {
			in := xShape[2+i]
			out := (in + strides[i] - 1) / strides[i]
			total := max(0, (out-1)*strides[i]+(ks[i]-1)*dil[i]+1-in)
			small := total / 2
			if mode == "SAME_UPPER" {
				pads[i], pads[sp+i] = small, total-small
			} else {
				pads[i], pads[sp+i] = total-small, small
			}
		}
	default:
		return w, n.bad("auto_pad %q", mode)
	}
	return window{ks: ks, strides: strides, dil: dil, begin: pads[:sp], end: pads[sp:]}, nil
}

// windowGeometry is windowAttrs for the 1-D and 2-D layers.
func (n *node) windowGeometry(xShape []int, kernel []int) (geometry2D, error) {
	if len(xShape) == 5 {
		return geometry2D{}, n.unsupported("3-D input")
	}
	w, err := n.windowAttrs(xShape, kernel)
	if err != nil {
		return geometry2D{}, err
	}
	return w.plane(), nil
}

// plane maps the last one or two axes onto the 2-D layers' geometry.
func (w window) plane() geometry2D {
	sp := len(w.ks)
	if sp == 1 {
		return geometry2D{kh: 1, kw: w.ks[0], sh: 1, sw: w.strides[0], dh: 1, dw: w.dil[0], pad: [4]int{0, w.begin[0], 0, w.end[0]}, oneD: true}
	}
	h, x := sp-2, sp-1
	return geometry2D{kh: w.ks[h], kw: w.ks[x], sh: w.strides[h], sw: w.strides[x], dh: w.dil[h], dw: w.dil[x],
		pad: [4]int{w.begin[h], w.begin[x], w.end[h], w.end[x]}}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// as2D views a 1-D (N,C,L) input as (N,C,1,L).
func as2D(x *Tensor, g geometry2D) *Tensor {
	if !g.oneD {
		return x
	}
	return &Tensor{Shape: []int{x.Shape[0], x.Shape[1], 1, x.Shape[2]}, Type: x.Type, Float: x.Float}
}

// from2D undoes as2D on an output.
func from2D(y *Tensor, g geometry2D) *Tensor {
	if g.oneD {
		y.Shape = []int{y.Shape[0], y.Shape[1], y.Shape[3]}
	}
	return y
}

// opConv is Conv: https://onnx.ai/onnx/operators/onnx__Conv.html, run by
// nn.Conv2D.
func opConv(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	w, err := n.floatInput(in, 1)
	if err != nil {
		return nil, err
	}
	b := optional(in, 2)
	if len(x.Shape) < 3 || len(w.Shape) != len(x.Shape) {
		return nil, n.bad("input %v and weights %v: want (N,C,spatial...) and (F,C/group,kernel...)", x.Shape, w.Shape)
	}
	if len(x.Shape) == 5 {
		group := int(n.attrInt("group", 1))
		if group < 1 || x.Shape[1] != w.Shape[1]*group || w.Shape[0]%group != 0 {
			return nil, n.bad("input has %d channels, weights %v with group %d", x.Shape[1], w.Shape, group)
		}
		if b != nil && (!b.IsFloat() || b.Len() != w.Shape[0]) {
			return nil, n.bad("bias %s does not fit %d filters", b, w.Shape[0])
		}
		return n.conv3D(x, w, b, group)
	}
	g, err := n.windowGeometry(x.Shape, w.Shape[2:])
	if err != nil {
		return nil, err
	}
	l := nn.NewConv2D(w.Shape[0], 1)
	l.KH, l.KW, l.SH, l.SW, l.DH, l.DW = g.kh, g.kw, g.sh, g.sw, g.dh, g.dw
	l.PadT, l.PadL, l.PadB, l.PadR = g.pad[0], g.pad[1], g.pad[2], g.pad[3]
	l.Groups = int(n.attrInt("group", 1))
	l.NoBias = b == nil
	if l.Groups < 1 || x.Shape[1] != w.Shape[1]*l.Groups {
		return nil, n.bad("input has %d channels, weights %v with group %d", x.Shape[1], w.Shape, l.Groups)
	}
	y, err := n.runLayer(l, as2D(x, g), func() error {
		if err := n.setParam(l.W, w, "weights"); err != nil {
			return err
		}
		if b != nil {
			if !b.IsFloat() {
				return n.unsupported("bias of type %s", typeName(b.Type))
			}
			return n.setParam(l.B, b, "bias")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []*Tensor{from2D(y, g)}, nil
}

// opConvTranspose is ConvTranspose:
// https://onnx.ai/onnx/operators/onnx__ConvTranspose.html, run by
// nn.ConvTranspose2D.
func opConvTranspose(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	w, err := n.floatInput(in, 1)
	if err != nil {
		return nil, err
	}
	b := optional(in, 2)
	if len(x.Shape) < 3 || len(w.Shape) != len(x.Shape) {
		return nil, n.bad("input %v and weights %v: want (N,C,spatial...) and (C,F/group,kernel...)", x.Shape, w.Shape)
	}
	sp := len(x.Shape) - 2
	if sp == 3 {
		return n.convTranspose3D(x, w, b)
	}
	if sp != 1 && sp != 2 {
		return nil, n.unsupported("%d-D input (convnet has 1-D, 2-D and 3-D windows)", sp)
	}
	// Padding for ConvTranspose applies to the output: auto_pad is handled
	// below, not by Conv's rule in windowAttrs.
	auto := n.attrString("auto_pad", "NOTSET")
	win, err := n.windowAttrsPadding(x.Shape, w.Shape[2:], "NOTSET")
	if err != nil {
		return nil, err
	}
	g := win.plane()
	group := int(n.attrInt("group", 1))
	if group < 1 || x.Shape[1] != w.Shape[0] || w.Shape[0]%group != 0 {
		return nil, n.bad("input has %d channels, weights %v with group %d", x.Shape[1], w.Shape, group)
	}
	outPad, err := n.toInts(n.attrInts("output_padding"), "output_padding")
	if err != nil {
		return nil, err
	}
	if outPad == nil {
		outPad = make([]int, sp)
	}
	outShape, err := n.toInts(n.attrInts("output_shape"), "output_shape")
	if err != nil {
		return nil, err
	}
	if len(outPad) != sp || (outShape != nil && len(outShape) != sp && len(outShape) != sp+2) {
		return nil, n.bad("output_padding %v or output_shape %v do not fit a %d-D input", outPad, outShape, sp)
	}
	if len(outShape) == sp+2 {
		outShape = outShape[2:]
	}
	ks := []int{g.kh, g.kw}
	st := []int{g.sh, g.sw}
	dl := []int{g.dh, g.dw}
	op := []int{0, 0}
	pads := []int{g.pad[0], g.pad[1], g.pad[2], g.pad[3]}
	ins := []int{1, x.Shape[2]}
	if sp == 2 {
		ins = []int{x.Shape[2], x.Shape[3]}
		op = outPad
	} else {
		op[1] = outPad[0]
	}
	if outShape != nil || auto == "SAME_UPPER" || auto == "SAME_LOWER" {
		// Total padding from the wanted output size, split as ONNX says.
		want := make([]int, 2)
		for i := 0; i < 2; i++ {
			if i == 0 && sp == 1 {
				want[0] = 1
				continue
			}
			if outShape != nil {
				want[i] = outShape[i-2+sp]
			} else {
				want[i] = ins[i] * st[i]
			}
			total := st[i]*(ins[i]-1) + op[i] + (ks[i]-1)*dl[i] + 1 - want[i]
			if total < 0 {
				// The wanted output is larger: extend with output padding.
				op[i] -= total
				total = 0
			}
			lo, hi := total-total/2, total/2
			if auto == "SAME_UPPER" {
				lo, hi = total/2, total-total/2
			}
			pads[i], pads[i+2] = lo, hi
		}
	}
	l := &nn.ConvTranspose2D{Filters: w.Shape[1] * group, KH: ks[0], KW: ks[1], SH: st[0], SW: st[1], DH: dl[0], DW: dl[1],
		PadT: pads[0], PadL: pads[1], PadB: pads[2], PadR: pads[3], OutPadH: op[0], OutPadW: op[1], Groups: group, NoBias: b == nil}
	y, err := n.runLayer(l, as2D(x, g), func() error {
		if err := n.setParam(l.W, w, "weights"); err != nil {
			return err
		}
		if b != nil {
			return n.setParam(l.B, b, "bias")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []*Tensor{from2D(y, g)}, nil
}

// opMaxPool is MaxPool: https://onnx.ai/onnx/operators/onnx__MaxPool.html,
// run by nn.MaxPool2D.
func opMaxPool(n *node, in []*Tensor) ([]*Tensor, error) {
	raw, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	x, ok := asFloat(raw)
	if !ok {
		return nil, n.unsupported("input of type %s", typeName(raw.Type))
	}
	if len(x.Shape) < 3 {
		return nil, n.bad("input %v: want (N,C,spatial...)", x.Shape)
	}
	if !n.has("kernel_shape") {
		return nil, n.bad("kernel_shape is required")
	}
	if len(x.Shape) == 5 && raw.IsFloat() {
		return n.pool3D(x, true)
	}
	g, err := n.windowGeometry(x.Shape, nil)
	if err != nil {
		return nil, err
	}
	l := nn.NewMaxPool2D(1)
	l.KH, l.KW, l.SH, l.SW, l.DH, l.DW = g.kh, g.kw, g.sh, g.sw, g.dh, g.dw
	l.PadT, l.PadL, l.PadB, l.PadR = g.pad[0], g.pad[1], g.pad[2], g.pad[3]
	l.CeilMode = n.attrInt("ceil_mode", 0) != 0
	y, err := n.runLayer(l, as2D(x, g), nil)
	if err != nil {
		return nil, err
	}
	y = from2D(y, g)
	out := []*Tensor{y}
	if len(n.out) > 1 && n.out[1] != "" {
		out = append(out, maxPoolIndices(l.Argmax(), x, y, n.attrInt("storage_order", 0) != 0))
	}
	if !raw.IsFloat() {
		// Back to the input's integers: the maxima are input values.
		yi := &Tensor{Shape: y.Shape, Type: raw.Type, Int: make([]int64, len(y.Float))}
		for i, v := range y.Float {
			yi.Int[i] = int64(v)
		}
		out[0] = yi
	}
	return out, nil
}

// maxPoolIndices turns nn.MaxPool2D's per-plane argmax into ONNX's Indices:
// the flat index of each maximum in the input, row-major (storage_order 0)
// or with the spatial axes column-major (storage_order 1).
func maxPoolIndices(arg []int32, x, y *Tensor, colMajor bool) *Tensor {
	h, w := 1, x.Shape[len(x.Shape)-1]
	if len(x.Shape) == 4 {
		h = x.Shape[2]
	}
	plane := h * w
	outPlane := y.Len() / max(1, x.Shape[0]*x.Shape[1])
	ind := NewInt(y.Shape...)
	for i, a := range arg[:y.Len()] {
		base := int64(i / outPlane * plane)
		switch {
		case a < 0:
			ind.Int[i] = -1
		case colMajor:
			iy, ix := int64(a)/int64(w), int64(a)%int64(w)
			ind.Int[i] = base + ix*int64(h) + iy
		default:
			ind.Int[i] = base + int64(a)
		}
	}
	return ind
}

// opAveragePool is AveragePool:
// https://onnx.ai/onnx/operators/onnx__AveragePool.html, run by
// nn.AvgPool2D.
func opAveragePool(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	if len(x.Shape) < 3 {
		return nil, n.bad("input %v: want (N,C,spatial...)", x.Shape)
	}
	if !n.has("kernel_shape") {
		return nil, n.bad("kernel_shape is required")
	}
	if len(x.Shape) == 5 {
		return n.pool3D(x, false)
	}
	g, err := n.windowGeometry(x.Shape, nil)
	if err != nil {
		return nil, err
	}
	if g.dh != 1 || g.dw != 1 {
		return nil, n.unsupported("dilations")
	}
	l := nn.NewAvgPool2D(1)
	l.KH, l.KW, l.SH, l.SW = g.kh, g.kw, g.sh, g.sw
	l.PadT, l.PadL, l.PadB, l.PadR = g.pad[0], g.pad[1], g.pad[2], g.pad[3]
	l.CeilMode = n.attrInt("ceil_mode", 0) != 0
	l.CountIncludePad = n.attrInt("count_include_pad", 0) != 0
	y, err := n.runLayer(l, as2D(x, g), nil)
	if err != nil {
		return nil, err
	}
	return []*Tensor{from2D(y, g)}, nil
}

func opGlobalAveragePool(n *node, in []*Tensor) ([]*Tensor, error) {
	return n.simpleLayer(nn.NewGlobalAvgPool(), in)
}

func opGlobalMaxPool(n *node, in []*Tensor) ([]*Tensor, error) {
	return n.simpleLayer(nn.NewGlobalMaxPool(), in)
}

// simpleLayer runs a parameterless layer over input 0 with the batch first.
func (n *node) simpleLayer(l nn.Layer, in []*Tensor) ([]*Tensor, error) {
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	y, err := n.runLayer(l, x, nil)
	if err != nil {
		return nil, err
	}
	return []*Tensor{y}, nil
}

// elementwise runs a parameterless elementwise layer over all of input 0,
// whatever its rank, as one row.
func (n *node) elementwise(l nn.Layer, in []*Tensor) ([]*Tensor, error) {
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	flat := &Tensor{Shape: []int{1, x.Len()}, Type: x.Type, Float: x.Float}
	y, err := n.runLayer(l, flat, nil)
	if err != nil {
		return nil, err
	}
	y.Shape = append([]int(nil), x.Shape...)
	return []*Tensor{y}, nil
}

// opBatchNormalization is BatchNormalization in inference mode:
// https://onnx.ai/onnx/operators/onnx__BatchNormalization.html, run by
// nn.BatchNorm2D.
func opBatchNormalization(n *node, in []*Tensor) ([]*Tensor, error) {
	if n.attrInt("training_mode", 0) != 0 || len(n.out) > 1 {
		return nil, n.unsupported("training mode (running statistics as outputs)")
	}
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	var ps [4]*Tensor
	for i := range ps {
		if ps[i], err = n.floatInput(in, i+1); err != nil {
			return nil, err
		}
	}
	if len(x.Shape) < 2 {
		return nil, n.bad("input %v: want (N,C,...)", x.Shape)
	}
	l := nn.NewBatchNorm2D()
	l.Eps = float64(n.attrFloat("epsilon", 1e-5))
	y, err := n.runLayer(l, x, func() error {
		for i, p := range []*nn.Param{l.Gamma, l.Beta, l.RunningMean, l.RunningVar} {
			if err := n.setParam(p, ps[i], []string{"scale", "B", "mean", "var"}[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return []*Tensor{y}, nil
}

func activationOp(kind string, alphaAttr string) opFunc {
	return func(n *node, in []*Tensor) ([]*Tensor, error) {
		l := nn.MustActivation(kind)
		if alphaAttr != "" {
			l.Alpha = n.attrFloat(alphaAttr, l.Alpha)
		}
		return n.elementwise(l, in)
	}
}

// SELU's constants as ONNX writes them (float32).
const (
	seluAlpha = 1.67326319217681884765625
	seluGamma = 1.05070102214813232421875
)

// opSelu is Selu: y = γ·(x if x > 0, else α·(eˣ-1)). With ONNX's default
// constants it runs nn's selu; otherwise nn's elu scaled by γ.
func opSelu(n *node, in []*Tensor) ([]*Tensor, error) {
	a, g := n.attrFloat("alpha", seluAlpha), n.attrFloat("gamma", seluGamma)
	if a == seluAlpha && g == seluGamma {
		return n.elementwise(nn.MustActivation("selu"), in)
	}
	l := nn.MustActivation("elu")
	l.Alpha = a
	out, err := n.elementwise(l, in)
	if err != nil {
		return nil, err
	}
	for i := range out[0].Float {
		out[0].Float[i] *= g
	}
	return out, nil
}

func opHardSigmoid(n *node, in []*Tensor) ([]*Tensor, error) {
	return n.elementwise(&nn.HardSigmoid{Alpha: n.attrFloat("alpha", 0.2), Beta: n.attrFloat("beta", 0.5)}, in)
}

// opSoftmax is Softmax and LogSoftmax. From opset 13 they normalise along
// axis (default -1); before, over the input flattened to 2-D at axis
// (default 1).
func softmaxOp(log bool) opFunc {
	return func(n *node, in []*Tensor) ([]*Tensor, error) {
		x, err := n.floatInput(in, 0)
		if err != nil {
			return nil, err
		}
		var l nn.Layer = nn.MustActivation("softmax")
		if log {
			l = nn.NewLogSoftmax()
		}
		r := len(x.Shape)
		if r == 0 {
			return nil, n.bad("input is a scalar")
		}
		ax, err := n.softmaxAxis(r)
		if err != nil {
			return nil, err
		}
		if n.opset < 13 || ax == r-1 {
			rows := size(x.Shape[:ax])
			view := &Tensor{Shape: []int{rows, size(x.Shape[ax:])}, Type: x.Type, Float: x.Float}
			y, err := n.runLayer(l, view, nil)
			if err != nil {
				return nil, err
			}
			y.Shape = append([]int(nil), x.Shape...)
			return []*Tensor{y}, nil
		}
		// Move the axis last, normalise the rows, move it back.
		perm := make([]int, 0, r)
		for i := 0; i < r; i++ {
			if i != ax {
				perm = append(perm, i)
			}
		}
		perm = append(perm, ax)
		t := transpose(x, perm)
		last := t.Shape[r-1]
		view := &Tensor{Shape: []int{t.Len() / max(last, 1), last}, Type: t.Type, Float: t.Float}
		y, err := n.runLayer(l, view, nil)
		if err != nil {
			return nil, err
		}
		y.Shape = t.Shape
		inv := make([]int, r)
		for i, p := range perm {
			inv[p] = i
		}
		return []*Tensor{transpose(y, inv)}, nil
	}
}

// softmaxAxis reads the axis of Softmax and LogSoftmax for rank r: by
// default the last from opset 13, 1 before, when the operator normalised
// everything from the axis on as one row.
func (n *node) softmaxAxis(r int) (int, error) {
	def := int64(-1)
	if n.opset < 13 {
		def = 1
	}
	return n.axis(n.attrInt("axis", def), r)
}

// opPRelu is PRelu: y = x if x > 0, else slope·x, the slope broadcast to x.
// A single slope or one per channel (axis 1) runs nn.PReLU; other slope
// shapes run the broadcasting binary form.
func opPRelu(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	s, err := n.floatInput(in, 1)
	if err != nil {
		return nil, err
	}
	if len(s.Shape) > len(x.Shape) {
		return nil, n.bad("slope %v has more dimensions than the input %v", s.Shape, x.Shape)
	}
	if len(x.Shape) >= 2 {
		if s.Len() == 1 {
			l := &nn.PReLU{Shared: true}
			y, err := n.runLayer(l, x, func() error { return n.setParam(l.A, s, "slope") })
			return []*Tensor{y}, err
		}
		// Before opset 7, a 1-D slope of C values is per channel.
		if perChannel(s.Shape, x.Shape) || n.opset < 7 && len(s.Shape) == 1 && s.Shape[0] == x.Shape[1] {
			l := nn.NewPReLU()
			y, err := n.runLayer(l, x, func() error { return n.setParam(l.A, s, "slope") })
			return []*Tensor{y}, err
		}
	}
	y, err := n.broadcast(x, s, func(a, b float32) float32 {
		if a > 0 {
			return a
		}
		return a * b
	})
	return []*Tensor{y}, err
}

// perChannel reports whether slope, right-aligned to x, has x's size on
// axis 1 and 1 elsewhere.
func perChannel(slope, x []int) bool {
	off := len(x) - len(slope)
	for i := range x {
		d := 1
		if i >= off {
			d = slope[i-off]
		}
		if i == 1 && d != x[1] || i != 1 && d != 1 {
			return false
		}
	}
	return true
}

// opClip is Clip: y = min(max(x, min), max); the bounds are attributes
// before opset 11 and optional inputs after. It runs nn.Clip.
func opClip(n *node, in []*Tensor) ([]*Tensor, error) {
	if x := optional(in, 0); x != nil && !x.IsFloat() && n.opset >= 11 {
		return clipInt(n, x, in)
	}
	l := nn.NewClip(float32(negInf), float32(posInf))
	if n.opset < 11 {
		l.Min, l.Max = n.attrFloat("min", l.Min), n.attrFloat("max", l.Max)
	} else {
		for i, dst := range []*float32{&l.Min, &l.Max} {
			if t := optional(in, i+1); t != nil {
				v, err := n.scalar(t, []string{"min", "max"}[i])
				if err != nil {
					return nil, err
				}
				*dst = float32(v)
			}
		}
	}
	return n.elementwise(l, in)
}

func opDropout(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	if n.opset >= 12 {
		if t := optional(in, 2); t != nil {
			v, err := n.scalar(t, "training_mode")
			if err != nil {
				return nil, err
			}
			ratio := 0.5
			if r := optional(in, 1); r != nil {
				if ratio, err = n.scalar(r, "ratio"); err != nil {
					return nil, err
				}
			}
			if v != 0 && ratio != 0 {
				return nil, n.unsupported("training mode (random masks)")
			}
		}
	} else if n.attrInt("is_test", 1) == 0 && n.opset < 7 {
		return nil, n.unsupported("training mode (random masks)")
	}
	out := []*Tensor{x}
	if len(n.out) > 1 {
		mask := NewInt(x.Shape...)
		mask.Type = boolType
		for i := range mask.Int {
			mask.Int[i] = 1
		}
		if n.opset < 10 {
			mask = &Tensor{Shape: mask.Shape, Type: x.Type, Float: make([]float32, x.Len())}
			for i := range mask.Float {
				mask.Float[i] = 1
			}
		}
		out = append(out, mask)
	}
	return out, nil
}

func init() {
	for k, f := range map[string]opFunc{
		"Conv":               opConv,
		"ConvTranspose":      opConvTranspose,
		"MaxPool":            opMaxPool,
		"AveragePool":        opAveragePool,
		"GlobalAveragePool":  opGlobalAveragePool,
		"GlobalMaxPool":      opGlobalMaxPool,
		"BatchNormalization": opBatchNormalization,
		"Relu":               activationOp("relu", ""),
		"LeakyRelu":          activationOp("leakyrelu", "alpha"),
		"Elu":                activationOp("elu", "alpha"),
		"Selu":               opSelu,
		"Sigmoid":            activationOp("sigmoid", ""),
		"Tanh":               activationOp("tanh", ""),
		"HardSigmoid":        opHardSigmoid,
		"Softmax":            softmaxOp(false),
		"LogSoftmax":         softmaxOp(true),
		"PRelu":              opPRelu,
		"Clip":               opClip,
		"Dropout":            opDropout,
		"Gemm":               opGemm,
		"MatMul":             opMatMul,
		"Add":                binaryOp(func(a, b float32) float32 { return a + b }, func(a, b int64) (int64, bool) { return a + b, true }),
		"Sub":                binaryOp(func(a, b float32) float32 { return a - b }, func(a, b int64) (int64, bool) { return a - b, true }),
		"Mul":                binaryOp(func(a, b float32) float32 { return a * b }, func(a, b int64) (int64, bool) { return a * b, true }),
		"Div": binaryOp(func(a, b float32) float32 { return a / b }, func(a, b int64) (int64, bool) {
			if b == 0 {
				return 0, false
			}
			return a / b, true
		}),
		"Erf":       opErf,
		"Concat":    opConcat,
		"Flatten":   opFlatten,
		"Reshape":   opReshape,
		"Transpose": opTranspose,
		"Pad":       opPad,
		"Constant":  opConstant,
		"Identity":  opIdentity,
	} {
		ops[k] = f
	}
}

// ops maps each operator of the default domain that convnet runs to its
// implementation; the files ops_*.go fill it.
var ops = map[string]opFunc{}

// clipInt is Clip on an integer tensor, with integer bounds.
func clipInt(n *node, x *Tensor, in []*Tensor) ([]*Tensor, error) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	for i, dst := range []*int64{&lo, &hi} {
		if t := optional(in, i+1); t != nil {
			if t.IsFloat() || t.Len() != 1 {
				return nil, n.bad("bounds must be scalars of the input's type")
			}
			*dst = t.Int[0]
		}
	}
	y := &Tensor{Shape: x.Shape, Type: x.Type, Int: make([]int64, len(x.Int))}
	for i, v := range x.Int {
		y.Int[i] = min(max(v, lo), hi)
	}
	return []*Tensor{y}, nil
}

// asFloat converts a small-integer tensor (8 and 16 bits, exact in
// float32) for the operators that only order values, such as MaxPool.
func asFloat(t *Tensor) (*Tensor, bool) {
	if t.IsFloat() {
		return t, true
	}
	switch t.Type {
	case onnxpb.TensorProto_INT8, onnxpb.TensorProto_UINT8, onnxpb.TensorProto_INT16, onnxpb.TensorProto_UINT16:
	default:
		return nil, false
	}
	f := &Tensor{Shape: t.Shape, Type: onnxpb.TensorProto_FLOAT, Float: make([]float32, len(t.Int))}
	for i, v := range t.Int {
		f.Float[i] = float32(v)
	}
	return f, true
}

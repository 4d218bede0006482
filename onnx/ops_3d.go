package onnx

import (
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// 3-D windows (N, C, D, H, W) run as 2-D layers over depth slices, so the
// math stays the 2-D layers': a 3-D convolution is the sum over the
// kernel's depth taps of 2-D convolutions of input slices, and 3-D pooling
// combines 2-D pooling of slices along the depth window (max of maxima; for
// averages the window is a box, so its divisor splits into a plane part,
// applied by the 2-D layer, and a depth part, applied here).

// depth holds the depth axis of a 3-D window.
type depth struct {
	k, s, d, front, back int
}

func (w window) depthAxis() depth {
	return depth{k: w.ks[0], s: w.strides[0], d: w.dil[0], front: w.begin[0], back: w.end[0]}
}

// slice copies depth plane z of x (N, C, D, H, W) into (N, C, H, W).
func depthSlice(x *Tensor, z int) *tensor.Tensor {
	n, c, d, hw := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]*x.Shape[4]
	out := tensor.New(n, c, x.Shape[3], x.Shape[4])
	for i := 0; i < n*c; i++ {
		copy(out.Data[i*hw:(i+1)*hw], x.Float[(i*d+z)*hw:(i*d+z+1)*hw])
	}
	return out
}

// planeOf returns the (N·F) planes of depth z of y (N, F, D, H, W) for f
// to update: f(dst plane, src plane index).
func eachPlane(y *Tensor, z int, f func(dst []float32, i int)) {
	nf, d, hw := y.Shape[0]*y.Shape[1], y.Shape[2], y.Shape[3]*y.Shape[4]
	for i := 0; i < nf; i++ {
		f(y.Float[(i*d+z)*hw:(i*d+z+1)*hw], i)
	}
}

// conv3D runs Conv on a 3-D input.
func (n *node) conv3D(x, w, b *Tensor, groups int) ([]*Tensor, error) {
	win, err := n.windowAttrs(x.Shape, w.Shape[2:])
	if err != nil {
		return nil, err
	}
	dz, g := win.depthAxis(), win.plane()
	D := x.Shape[2]
	od := (D+dz.front+dz.back-dz.d*(dz.k-1)-1)/dz.s + 1
	if od < 1 {
		return nil, n.bad("kernel depth %d (dilated) does not fit the input depth %d with its padding", dz.d*(dz.k-1)+1, D)
	}
	f, cg, kh, kw := w.Shape[0], w.Shape[1], w.Shape[3], w.Shape[4]
	// One 2-D layer per depth tap, its weights w[:, :, kz].
	layers := make([]*nn.Conv2D, dz.k)
	var outShape []int
	for kz := range layers {
		l := nn.NewConv2D(f, 1)
		l.KH, l.KW, l.SH, l.SW, l.DH, l.DW = g.kh, g.kw, g.sh, g.sw, g.dh, g.dw
		l.PadT, l.PadL, l.PadB, l.PadR = g.pad[0], g.pad[1], g.pad[2], g.pad[3]
		l.Groups, l.NoBias = groups, true
		if outShape, err = l.Build([][]int{{x.Shape[1], x.Shape[3], x.Shape[4]}}); err != nil {
			return nil, n.bad("%v", err)
		}
		for i := 0; i < f*cg; i++ {
			copy(l.W.Value.Data[i*kh*kw:(i+1)*kh*kw], w.Float[(i*dz.k+kz)*kh*kw:(i*dz.k+kz+1)*kh*kw])
		}
		layers[kz] = l
	}
	if _, err := n.checkSize([]int{cg * kh * kw, outShape[1], outShape[2], dz.k}); err != nil {
		return nil, err
	}
	y, err := n.newFloat(x.Shape[0], f, od, outShape[1], outShape[2])
	if err != nil {
		return nil, err
	}
	tmp := tensor.New(x.Shape[0], f, outShape[1], outShape[2])
	slices := map[int]*tensor.Tensor{}
	hw := outShape[1] * outShape[2]
	for z := 0; z < od; z++ {
		for kz, l := range layers {
			iz := z*dz.s - dz.front + kz*dz.d
			if iz < 0 || iz >= D {
				continue
			}
			if slices[iz] == nil {
				slices[iz] = depthSlice(x, iz)
			}
			l.Forward([]*tensor.Tensor{slices[iz]}, tmp, false)
			eachPlane(y, z, func(dst []float32, i int) {
				for j, v := range tmp.Data[i*hw : (i+1)*hw] {
					dst[j] += v
				}
			})
		}
		if b != nil {
			eachPlane(y, z, func(dst []float32, i int) {
				bv := b.Float[i%f]
				for j := range dst {
					dst[j] += bv
				}
			})
		}
	}
	return []*Tensor{y}, nil
}

// pool3D runs MaxPool or AveragePool on a 3-D input.
func (n *node) pool3D(x *Tensor, isMax bool) ([]*Tensor, error) {
	win, err := n.windowAttrs(x.Shape, nil)
	if err != nil {
		return nil, err
	}
	if len(n.out) > 1 && n.out[1] != "" {
		return nil, n.unsupported("the Indices output of 3-D pooling")
	}
	dz, g := win.depthAxis(), win.plane()
	ceil := n.attrInt("ceil_mode", 0) != 0
	includePad := n.attrInt("count_include_pad", 0) != 0
	D := x.Shape[2]
	var l nn.Layer
	if isMax {
		m := nn.NewMaxPool2D(1)
		m.KH, m.KW, m.SH, m.SW, m.DH, m.DW = g.kh, g.kw, g.sh, g.sw, g.dh, g.dw
		m.PadT, m.PadL, m.PadB, m.PadR, m.CeilMode = g.pad[0], g.pad[1], g.pad[2], g.pad[3], ceil
		l = m
	} else {
		if g.dh != 1 || g.dw != 1 || dz.d != 1 {
			return nil, n.unsupported("dilations")
		}
		a := nn.NewAvgPool2D(1)
		a.KH, a.KW, a.SH, a.SW = g.kh, g.kw, g.sh, g.sw
		a.PadT, a.PadL, a.PadB, a.PadR, a.CeilMode, a.CountIncludePad = g.pad[0], g.pad[1], g.pad[2], g.pad[3], ceil, includePad
		l = a
	}
	outShape, err := l.Build([][]int{{x.Shape[1], x.Shape[3], x.Shape[4]}})
	if err != nil {
		return nil, n.bad("%v", err)
	}
	if dz.front >= dz.d*(dz.k-1)+1 || dz.back >= dz.d*(dz.k-1)+1 {
		return nil, n.bad("depth padding must be smaller than the window")
	}
	od := kernel.PoolOutSize(D, dz.k, dz.s, dz.front, dz.back, dz.d, ceil)
	if od < 1 {
		return nil, n.bad("window depth %d is larger than the input depth %d with its padding", dz.d*(dz.k-1)+1, D)
	}
	y, err := n.newFloat(x.Shape[0], x.Shape[1], od, outShape[1], outShape[2])
	if err != nil {
		return nil, err
	}
	hw := outShape[1] * outShape[2]
	pooled := map[int]*tensor.Tensor{}
	pool := func(iz int) *tensor.Tensor {
		if pooled[iz] == nil {
			t := tensor.New(x.Shape[0], x.Shape[1], outShape[1], outShape[2])
			l.Forward([]*tensor.Tensor{depthSlice(x, iz)}, t, false)
			pooled[iz] = t
		}
		return pooled[iz]
	}
	for z := 0; z < od; z++ {
		z0 := z*dz.s - dz.front
		first := true
		for kz := 0; kz < dz.k; kz++ {
			iz := z0 + kz*dz.d
			if iz < 0 || iz >= D {
				continue
			}
			p := pool(iz)
			eachPlane(y, z, func(dst []float32, i int) {
				src := p.Data[i*hw : (i+1)*hw]
				for j, v := range src {
					switch {
					case !isMax || first:
						dst[j] += v
					case v > dst[j] || v != v:
						if dst[j] == dst[j] { // NaN stays
							dst[j] = v
						}
					}
				}
			})
			first = false
		}
		if isMax {
			continue
		}
		// The depth part of the divisor: taps inside the input, or with
		// count_include_pad the window within the padded depth.
		z1 := min(z0+dz.k, D+dz.back)
		div := z1 - z0
		if !includePad {
			div = min(z1, D) - max(z0, 0)
		}
		if div > 0 {
			inv := 1 / float32(div)
			eachPlane(y, z, func(dst []float32, i int) {
				for j := range dst {
					dst[j] *= inv
				}
			})
		}
	}
	return []*Tensor{y}, nil
}

// convTranspose3D runs ConvTranspose on a 3-D input with explicit pads and
// output_padding: each input depth slice, through each depth tap of the
// kernel, adds a 2-D transposed convolution into one output depth slice.
func (n *node) convTranspose3D(x, w, b *Tensor) ([]*Tensor, error) {
	if n.has("output_shape") || n.attrString("auto_pad", "NOTSET") != "NOTSET" {
		return nil, n.unsupported("output_shape or auto_pad with a 3-D input")
	}
	group := int(n.attrInt("group", 1))
	if group < 1 || x.Shape[1] != w.Shape[0] || w.Shape[0]%group != 0 {
		return nil, n.bad("input has %d channels, weights %v with group %d", x.Shape[1], w.Shape, group)
	}
	win, err := n.windowAttrs(x.Shape, w.Shape[2:])
	if err != nil {
		return nil, err
	}
	outPad, err := n.toInts(n.attrInts("output_padding"), "output_padding")
	if err != nil {
		return nil, err
	}
	if outPad == nil {
		outPad = []int{0, 0, 0}
	}
	if len(outPad) != 3 {
		return nil, n.bad("output_padding %v does not fit a 3-D input", outPad)
	}
	dz, g := win.depthAxis(), win.plane()
	D := x.Shape[2]
	od := (D-1)*dz.s - dz.front - dz.back + dz.d*(dz.k-1) + 1 + outPad[0]
	if od < 1 {
		return nil, n.bad("the padding leaves no output depth")
	}
	c, fg, kh, kw := w.Shape[0], w.Shape[1], w.Shape[3], w.Shape[4]
	f := fg * group
	layers := make([]*nn.ConvTranspose2D, dz.k)
	var outShape []int
	for kz := range layers {
		l := &nn.ConvTranspose2D{Filters: f, KH: g.kh, KW: g.kw, SH: g.sh, SW: g.sw, DH: g.dh, DW: g.dw,
			PadT: g.pad[0], PadL: g.pad[1], PadB: g.pad[2], PadR: g.pad[3], OutPadH: outPad[1], OutPadW: outPad[2], Groups: group, NoBias: true}
		if outShape, err = l.Build([][]int{{c, x.Shape[3], x.Shape[4]}}); err != nil {
			return nil, n.bad("%v", err)
		}
		for i := 0; i < c*fg; i++ {
			copy(l.W.Value.Data[i*kh*kw:(i+1)*kh*kw], w.Float[(i*dz.k+kz)*kh*kw:(i*dz.k+kz+1)*kh*kw])
		}
		layers[kz] = l
	}
	if _, err := n.checkSize([]int{fg * kh * kw, x.Shape[3], x.Shape[4], dz.k}); err != nil {
		return nil, err
	}
	y, err := n.newFloat(x.Shape[0], f, od, outShape[1], outShape[2])
	if err != nil {
		return nil, err
	}
	tmp := tensor.New(x.Shape[0], f, outShape[1], outShape[2])
	hw := outShape[1] * outShape[2]
	for iz := 0; iz < D; iz++ {
		slice := depthSlice(x, iz)
		for kz, l := range layers {
			oz := iz*dz.s - dz.front + kz*dz.d
			if oz < 0 || oz >= od {
				continue
			}
			l.Forward([]*tensor.Tensor{slice}, tmp, false)
			eachPlane(y, oz, func(dst []float32, i int) {
				for j, v := range tmp.Data[i*hw : (i+1)*hw] {
					dst[j] += v
				}
			})
		}
	}
	if b != nil {
		if !b.IsFloat() || b.Len() != f {
			return nil, n.bad("bias %s does not fit %d filters", b, f)
		}
		for z := 0; z < od; z++ {
			eachPlane(y, z, func(dst []float32, i int) {
				bv := b.Float[i%f]
				for j := range dst {
					dst[j] += bv
				}
			})
		}
	}
	return []*Tensor{y}, nil
}

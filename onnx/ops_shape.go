package onnx

import (
	"math"
	"sort"

	"github.com/convnet/convnet/onnx/onnxpb"
	"github.com/convnet/convnet/tensor"
)

// Shape operators that exporters write around reshapes, e.g. PyTorch's
// x.view(x.size(0), -1) becomes Shape, Gather, Unsqueeze, Concat, Reshape.

// opShape is Shape: the input's dimensions as a 1-D int64 tensor, from
// start to end (opset 15).
func opShape(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	r := int64(len(x.Shape))
	clamp := func(v int64) int64 {
		if v < 0 {
			v += r
		}
		return min(max(v, 0), r)
	}
	start, end := clamp(n.attrInt("start", 0)), clamp(n.attrInt("end", r))
	out := NewInt(int(max(end-start, 0)))
	for i := start; i < end; i++ {
		out.Int[i-start] = int64(x.Shape[i])
	}
	return []*Tensor{out}, nil
}

// opGather is Gather: entries of the data along axis, picked by indices
// (negative ones count from the end).
func opGather(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	ind, err := n.input(in, 1)
	if err != nil {
		return nil, err
	}
	if ind.IsFloat() {
		return nil, n.bad("indices must be integers")
	}
	if len(x.Shape) == 0 {
		return nil, n.bad("data is a scalar")
	}
	ax, err := n.axis(n.attrInt("axis", 0), len(x.Shape))
	if err != nil {
		return nil, err
	}
	dim := x.Shape[ax]
	shape := append(append(append([]int(nil), x.Shape[:ax]...), ind.Shape...), x.Shape[ax+1:]...)
	total, err := n.checkSize(shape)
	if err != nil {
		return nil, err
	}
	outer, inner := size(x.Shape[:ax]), size(x.Shape[ax+1:])
	out := &Tensor{Shape: shape, Type: x.Type}
	if x.IsFloat() {
		out.Float = make([]float32, 0, total)
	} else {
		out.Int = make([]int64, 0, total)
	}
	for o := 0; o < outer; o++ {
		for _, k := range ind.Int {
			if k < 0 {
				k += int64(dim)
			}
			if k < 0 || k >= int64(dim) {
				return nil, n.bad("index %d is out of range for axis %d of size %d", k, ax, dim)
			}
			off := (o*dim + int(k)) * inner
			if x.IsFloat() {
				out.Float = append(out.Float, x.Float[off:off+inner]...)
			} else {
				out.Int = append(out.Int, x.Int[off:off+inner]...)
			}
		}
	}
	return []*Tensor{out}, nil
}

// axesArg reads the axes of Squeeze and Unsqueeze: an attribute before
// opset 13, an optional input after.
func (n *node) axesArg(in []*Tensor) ([]int, bool, error) {
	if n.opset < 13 {
		if !n.has("axes") {
			return nil, false, nil
		}
		a, err := n.toInts(n.attrInts("axes"), "axes")
		return a, true, err
	}
	t := optional(in, 1)
	if t == nil {
		return nil, false, nil
	}
	a, err := n.ints(t, "axes")
	return a, true, err
}

// normAxes makes axes non-negative for rank r and checks they are distinct.
func (n *node) normAxes(axes []int, r int) ([]int, error) {
	out := make([]int, len(axes))
	seen := map[int]bool{}
	for i, a := range axes {
		if a < -r || a >= r {
			return nil, n.bad("axis %d is out of range for rank %d", a, r)
		}
		if a < 0 {
			a += r
		}
		if seen[a] {
			return nil, n.bad("axis %d is repeated", a)
		}
		seen[a] = true
		out[i] = a
	}
	sort.Ints(out)
	return out, nil
}

// opUnsqueeze is Unsqueeze: inserts axes of size 1.
func opUnsqueeze(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	axes, ok, err := n.axesArg(in)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, n.bad("axes are required")
	}
	r := len(x.Shape) + len(axes)
	if r > maxRank {
		return nil, n.bad("rank %d is too large", r)
	}
	axes, err = n.normAxes(axes, r)
	if err != nil {
		return nil, err
	}
	shape := make([]int, 0, r)
	src := 0
	for i := 0; i < r; i++ {
		if len(axes) > 0 && axes[0] == i {
			shape = append(shape, 1)
			axes = axes[1:]
			continue
		}
		shape = append(shape, x.Shape[src])
		src++
	}
	return []*Tensor{reshaped(x, shape)}, nil
}

// opSqueeze is Squeeze: removes the given axes of size 1, or every one.
func opSqueeze(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	axes, ok, err := n.axesArg(in)
	if err != nil {
		return nil, err
	}
	drop := map[int]bool{}
	if ok {
		axes, err = n.normAxes(axes, len(x.Shape))
		if err != nil {
			return nil, err
		}
		for _, a := range axes {
			if x.Shape[a] != 1 {
				return nil, n.bad("axis %d has size %d, not 1", a, x.Shape[a])
			}
			drop[a] = true
		}
	} else {
		for i, d := range x.Shape {
			drop[i] = d == 1
		}
	}
	var shape []int
	for i, d := range x.Shape {
		if !drop[i] {
			shape = append(shape, d)
		}
	}
	return []*Tensor{reshaped(x, shape)}, nil
}

// opCast is Cast between float32 and the integer types; float to integer
// truncates toward zero and wraps, as numpy's astype does.
func opCast(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	to := onnxpb.TensorProto_DataType(n.attrInt("to", 0))
	_, toInt := intTypes[to]
	if to != onnxpb.TensorProto_FLOAT && !toInt {
		return nil, n.unsupported("casting to %s", typeName(to))
	}
	switch {
	case to == x.Type:
		return []*Tensor{x}, nil
	case to == onnxpb.TensorProto_FLOAT:
		y := &Tensor{Shape: x.Shape, Type: to, Float: make([]float32, len(x.Int))}
		for i, v := range x.Int {
			y.Float[i] = float32(v)
		}
		return []*Tensor{y}, nil
	}
	y := &Tensor{Shape: x.Shape, Type: to, Int: make([]int64, x.Len())}
	for i := range y.Int {
		var v int64
		if x.IsFloat() {
			f := float64(x.Float[i])
			switch {
			case to == boolType:
				v = 0
				if f != 0 {
					v = 1
				}
			case math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 9e18:
				return nil, n.bad("cannot cast %g to %s", f, typeName(to))
			default:
				v = int64(f)
			}
		} else {
			v = x.Int[i]
			if to == boolType && v != 0 {
				v = 1
			}
		}
		y.Int[i] = wrapInt(to, v)
	}
	return []*Tensor{y}, nil
}

// opConstantOfShape is ConstantOfShape: a tensor of the given shape filled
// with value (a one-element tensor, float 0 by default), of value's type.
// PyTorch writes it when it exports F.pad.
func opConstantOfShape(n *node, in []*Tensor) ([]*Tensor, error) {
	s, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	shape, err := n.ints(s, "shape")
	if err != nil {
		return nil, err
	}
	if len(shape) > maxRank {
		return nil, n.bad("rank %d is too large", len(shape))
	}
	total, err := n.checkSize(shape)
	if err != nil {
		return nil, err
	}
	v := &Tensor{Type: onnxpb.TensorProto_FLOAT, Float: []float32{0}}
	if n.has("value") {
		if v, err = TensorFromProto(n.attrs["value"].GetT()); err != nil {
			return nil, err
		}
		if v.Len() != 1 {
			return nil, n.bad("value must hold one element, holds %d", v.Len())
		}
	}
	out := &Tensor{Shape: shape, Type: v.Type}
	if v.IsFloat() {
		out.Float = make([]float32, total)
		for i := range out.Float {
			out.Float[i] = v.Float[0]
		}
	} else {
		out.Int = make([]int64, total)
		for i := range out.Int {
			out.Int[i] = v.Int[0]
		}
	}
	return []*Tensor{out}, nil
}

// opSlice is Slice: along each of axes (all by default), the elements
// start, start+step, ... up to end excluded, with negative starts and ends
// counting from the end and both clamped to the axis (steps may be
// negative, to reverse). Before opset 10 starts, ends and axes are
// attributes and steps are 1.
func opSlice(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	var starts, ends, axes, steps []int64
	if n.opset < 10 {
		starts, ends, axes = n.attrInts("starts"), n.attrInts("ends"), n.attrInts("axes")
	} else {
		arg := func(i int, what string) ([]int64, error) {
			t := optional(in, i)
			if t == nil {
				if i < 3 {
					return nil, n.bad("no %s input", what)
				}
				return nil, nil
			}
			if t.IsFloat() || len(t.Shape) != 1 {
				return nil, n.bad("%s must be a 1-D integer tensor, is %s", what, t)
			}
			return t.Int, nil
		}
		if starts, err = arg(1, "starts"); err != nil {
			return nil, err
		}
		if ends, err = arg(2, "ends"); err != nil {
			return nil, err
		}
		if axes, err = arg(3, "axes"); err != nil {
			return nil, err
		}
		if steps, err = arg(4, "steps"); err != nil {
			return nil, err
		}
	}
	r := len(x.Shape)
	if axes == nil {
		for i := range starts {
			axes = append(axes, int64(i))
		}
	}
	if steps == nil {
		steps = make([]int64, len(starts))
		for i := range steps {
			steps[i] = 1
		}
	}
	if len(ends) != len(starts) || len(axes) != len(starts) || len(steps) != len(starts) {
		return nil, n.bad("starts, ends, axes and steps have %d, %d, %d and %d entries", len(starts), len(ends), len(axes), len(steps))
	}
	// Per axis of x: first element, step and count.
	first, step, shape := make([]int, r), make([]int, r), append([]int(nil), x.Shape...)
	for i := range step {
		step[i] = 1
	}
	seen := make([]bool, r)
	for i, a64 := range axes {
		a, err := n.axis(a64, r)
		if err != nil {
			return nil, err
		}
		if seen[a] {
			return nil, n.bad("axis %d is repeated", a)
		}
		seen[a] = true
		dim, st := int64(x.Shape[a]), steps[i]
		if st == 0 {
			return nil, n.bad("a step is 0")
		}
		// A step longer than the axis takes one element, as its length+1 does.
		st = max(min(st, dim+1), -dim-1)
		b, e := starts[i], ends[i]
		if b < 0 {
			b += dim
		}
		if e < 0 {
			e += dim
		}
		var count int64
		if st > 0 {
			b, e = min(max(b, 0), dim), min(max(e, 0), dim)
			if e > b {
				count = (e - b + st - 1) / st
			}
		} else {
			b, e = min(max(b, 0), dim-1), min(max(e, -1), dim-1)
			if b > e {
				count = (b - e - st - 1) / -st
			}
		}
		first[a], step[a], shape[a] = int(b), int(st), int(count)
	}
	total, err := n.checkSize(shape)
	if err != nil {
		return nil, err
	}
	out, inStride := newLike(x, shape), tensor.Strides(x.Shape)
	idx := make([]int, r)
	for o := 0; o < total; o++ {
		src := 0
		for k, i := range idx {
			src += (first[k] + i*step[k]) * inStride[k]
		}
		if x.IsFloat() {
			out.Float[o] = x.Float[src]
		} else {
			out.Int[o] = x.Int[src]
		}
		for k := r - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return []*Tensor{out}, nil
}

func init() {
	ops["ConstantOfShape"] = opConstantOfShape
	ops["Slice"] = opSlice
	ops["Shape"] = opShape
	ops["Gather"] = opGather
	ops["Unsqueeze"] = opUnsqueeze
	ops["Squeeze"] = opSqueeze
	ops["Cast"] = opCast
}

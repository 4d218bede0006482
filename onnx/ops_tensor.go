package onnx

import (
	"math"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/onnx/onnxpb"
	"github.com/convnet/convnet/tensor"
)

// General tensor operators: they move data or combine whole tensors, with
// the matrix products on internal/kernel's Sgemm.

var (
	negInf   = math.Inf(-1)
	posInf   = math.Inf(1)
	boolType = onnxpb.TensorProto_BOOL
)

// broadcastShape is numpy's multidirectional broadcast of a and b.
func broadcastShape(a, b []int) ([]int, bool) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, false
		}
	}
	return out, true
}

// broadcastStrides gives, for shape broadcast to out, the stride of each
// of out's axes in shape's data (0 where shape repeats).
func broadcastStrides(shape, out []int) []int {
	st := make([]int, len(out))
	s := 1
	for i := len(out) - 1; i >= 0; i-- {
		j := i - (len(out) - len(shape))
		if j >= 0 && shape[j] != 1 {
			st[i] = s
		}
		if j >= 0 {
			s *= shape[j]
		}
	}
	return st
}

// broadcast applies f elementwise to a and b broadcast together.
func (n *node) broadcast(a, b *Tensor, f func(x, y float32) float32) (*Tensor, error) {
	shape, ok := broadcastShape(a.Shape, b.Shape)
	if !ok {
		return nil, n.bad("shapes %v and %v do not broadcast", a.Shape, b.Shape)
	}
	out, err := n.newFloat(shape...)
	if err != nil {
		return nil, err
	}
	if equalInts(a.Shape, b.Shape) {
		for i := range out.Float {
			out.Float[i] = f(a.Float[i], b.Float[i])
		}
		return out, nil
	}
	sa, sb := broadcastStrides(a.Shape, shape), broadcastStrides(b.Shape, shape)
	idx := make([]int, len(shape))
	ia, ib := 0, 0
	for i := range out.Float {
		out.Float[i] = f(a.Float[ia], b.Float[ib])
		// Advance the multi-index like an odometer.
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			ia += sa[k]
			ib += sb[k]
			if idx[k] < shape[k] {
				break
			}
			ia -= sa[k] * shape[k]
			ib -= sb[k] * shape[k]
			idx[k] = 0
		}
	}
	return out, nil
}

// binaryOp is Add, Sub, Mul or Div with numpy broadcasting (opset 7 on;
// before, broadcasting needed the broadcast attribute, whose rules are the
// same for the trailing-axes case that exporters wrote). f is the float32
// form; fi the integer form, whose result wraps to the element type.
func binaryOp(f func(a, b float32) float32, fi func(a, b int64) (int64, bool)) opFunc {
	return func(n *node, in []*Tensor) ([]*Tensor, error) {
		if n.opset < 7 && n.has("axis") {
			return nil, n.unsupported("the legacy axis attribute")
		}
		a, err := n.input(in, 0)
		if err != nil {
			return nil, err
		}
		b, err := n.input(in, 1)
		if err != nil {
			return nil, err
		}
		if a.IsFloat() && b.IsFloat() {
			y, err := n.broadcast(a, b, f)
			if err != nil {
				return nil, err
			}
			return []*Tensor{y}, nil
		}
		if a.Type != b.Type || a.IsFloat() || a.Type == boolType {
			return nil, n.unsupported("inputs of types %s and %s", typeName(a.Type), typeName(b.Type))
		}
		y, err := n.broadcastInt(a, b, fi)
		if err != nil {
			return nil, err
		}
		return []*Tensor{y}, nil
	}
}

// broadcastInt applies f to integer tensors broadcast together and wraps
// the results to a's element type, as numpy's fixed-width integers do. f
// reports false for a division by zero.
func (n *node) broadcastInt(a, b *Tensor, f func(x, y int64) (int64, bool)) (*Tensor, error) {
	shape, ok := broadcastShape(a.Shape, b.Shape)
	if !ok {
		return nil, n.bad("shapes %v and %v do not broadcast", a.Shape, b.Shape)
	}
	total, err := n.checkSize(shape)
	if err != nil {
		return nil, err
	}
	out := &Tensor{Shape: shape, Type: a.Type, Int: make([]int64, total)}
	sa, sb := broadcastStrides(a.Shape, shape), broadcastStrides(b.Shape, shape)
	idx := make([]int, len(shape))
	ia, ib := 0, 0
	for i := range out.Int {
		v, ok := f(a.Int[ia], b.Int[ib])
		if !ok {
			return nil, n.bad("integer division by zero")
		}
		out.Int[i] = wrapInt(a.Type, v)
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			ia += sa[k]
			ib += sb[k]
			if idx[k] < shape[k] {
				break
			}
			ia -= sa[k] * shape[k]
			ib -= sb[k] * shape[k]
			idx[k] = 0
		}
	}
	return out, nil
}

// wrapInt reduces v to the range of the integer type t.
func wrapInt(t onnxpb.TensorProto_DataType, v int64) int64 {
	switch t {
	case onnxpb.TensorProto_INT32:
		return int64(int32(v))
	case onnxpb.TensorProto_INT16:
		return int64(int16(v))
	case onnxpb.TensorProto_UINT16:
		return int64(uint16(v))
	case onnxpb.TensorProto_INT8:
		return int64(int8(v))
	case onnxpb.TensorProto_UINT8:
		return int64(uint8(v))
	}
	return v
}

func opErf(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	y := NewFloat(x.Shape...)
	for i, v := range x.Float {
		y.Float[i] = float32(math.Erf(float64(v)))
	}
	return []*Tensor{y}, nil
}

// opGemm is Gemm: Y = alpha·A'·B' + beta·C, A' = transA ? Aᵀ : A (M×K),
// B' = transB ? Bᵀ : B (K×N), C broadcast to (M, N).
func opGemm(n *node, in []*Tensor) ([]*Tensor, error) {
	a, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	b, err := n.floatInput(in, 1)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 || len(b.Shape) != 2 {
		return nil, n.bad("A %v and B %v must be matrices", a.Shape, b.Shape)
	}
	ta, tb := n.attrInt("transA", 0) != 0, n.attrInt("transB", 0) != 0
	m, k := a.Shape[0], a.Shape[1]
	if ta {
		m, k = k, m
	}
	k2, nn := b.Shape[0], b.Shape[1]
	if tb {
		k2, nn = nn, k2
	}
	if k != k2 {
		return nil, n.bad("A %v and B %v do not multiply (transA=%v, transB=%v)", a.Shape, b.Shape, ta, tb)
	}
	alpha, beta := n.attrFloat("alpha", 1), n.attrFloat("beta", 1)
	y, err := n.newFloat(m, nn)
	if err != nil {
		return nil, err
	}
	acc := float32(0) // whether y already holds beta·C
	if c := optional(in, 2); c != nil && beta != 0 {
		if !c.IsFloat() {
			return nil, n.unsupported("C of type %s", typeName(c.Type))
		}
		if bs, ok := broadcastShape(c.Shape, y.Shape); !ok || !equalInts(bs, y.Shape) {
			return nil, n.bad("C %v does not broadcast to (%d, %d)", c.Shape, m, nn)
		}
		cb, _ := n.broadcast(y, c, func(_, v float32) float32 { return beta * v })
		y, acc = cb, 1
	}
	if m*nn > 0 {
		kernel.Sgemm(ta, tb, m, nn, k, alpha, a.Float, a.Shape[1], b.Float, b.Shape[1], acc, y.Float, nn)
	}
	return []*Tensor{y}, nil
}

// opMatMul is MatMul, numpy's matmul: 1-D operands are promoted to a row
// (A) or column (B) and the added axis dropped after; leading axes
// broadcast.
func opMatMul(n *node, in []*Tensor) ([]*Tensor, error) {
	a, err := n.floatInput(in, 0)
	if err != nil {
		return nil, err
	}
	b, err := n.floatInput(in, 1)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) == 0 || len(b.Shape) == 0 {
		return nil, n.bad("operands must have at least one axis")
	}
	as, bs := a.Shape, b.Shape
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	m, k := as[len(as)-2], as[len(as)-1]
	k2, nn := bs[len(bs)-2], bs[len(bs)-1]
	if k != k2 {
		return nil, n.bad("shapes %v and %v do not multiply", a.Shape, b.Shape)
	}
	batch, ok := broadcastShape(as[:len(as)-2], bs[:len(bs)-2])
	if !ok {
		return nil, n.bad("batch axes of %v and %v do not broadcast", a.Shape, b.Shape)
	}
	outShape := append(append([]int(nil), batch...), m, nn)
	y, err := n.newFloat(outShape...)
	if err != nil {
		return nil, err
	}
	sa, sb := broadcastStrides(as[:len(as)-2], batch), broadcastStrides(bs[:len(bs)-2], batch)
	idx := make([]int, len(batch))
	for p := 0; p < size(batch); p++ {
		oa, ob := 0, 0
		for i, v := range idx {
			oa += v * sa[i]
			ob += v * sb[i]
		}
		if m*nn > 0 {
			kernel.Sgemm(false, false, m, nn, k, 1, a.Float[oa*m*k:(oa+1)*m*k], k, b.Float[ob*k*nn:(ob+1)*k*nn], nn, 0, y.Float[p*m*nn:(p+1)*m*nn], nn)
		}
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < batch[i] {
				break
			}
			idx[i] = 0
		}
	}
	// Drop the promoted axes.
	shape := append([]int(nil), batch...)
	if len(a.Shape) > 1 {
		shape = append(shape, m)
	}
	if len(b.Shape) > 1 {
		shape = append(shape, nn)
	}
	y.Shape = shape
	return []*Tensor{y}, nil
}

// opConcat is Concat along any axis, for float or integer tensors.
func opConcat(n *node, in []*Tensor) ([]*Tensor, error) {
	if len(in) == 0 || in[0] == nil {
		return nil, n.bad("no inputs")
	}
	first := in[0]
	r := len(first.Shape)
	if !n.has("axis") {
		return nil, n.bad("axis is required")
	}
	ax, err := n.axis(n.attrInt("axis", 0), r)
	if err != nil {
		return nil, err
	}
	outShape := append([]int(nil), first.Shape...)
	outShape[ax] = 0
	for i, t := range in {
		if t == nil {
			return nil, n.bad("input %d is missing", i+1)
		}
		if t.Type != first.Type || len(t.Shape) != r {
			return nil, n.bad("input %d is %s, input 1 %s", i+1, t, first)
		}
		for d := range t.Shape {
			if d != ax && t.Shape[d] != first.Shape[d] {
				return nil, n.bad("input %d has shape %v, input 1 %v: all axes but %d must match", i+1, t.Shape, first.Shape, ax)
			}
		}
		outShape[ax] += t.Shape[ax]
	}
	outer := size(first.Shape[:ax])
	out := &Tensor{Shape: outShape, Type: first.Type}
	if first.IsFloat() {
		out.Float = make([]float32, 0, size(outShape))
		for o := 0; o < outer; o++ {
			for _, t := range in {
				blk := size(t.Shape[ax:])
				out.Float = append(out.Float, t.Float[o*blk:(o+1)*blk]...)
			}
		}
	} else {
		out.Int = make([]int64, 0, size(outShape))
		for o := 0; o < outer; o++ {
			for _, t := range in {
				blk := size(t.Shape[ax:])
				out.Int = append(out.Int, t.Int[o*blk:(o+1)*blk]...)
			}
		}
	}
	return []*Tensor{out}, nil
}

// reshaped returns t with a new shape and the same data.
func reshaped(t *Tensor, shape []int) *Tensor {
	return &Tensor{Shape: shape, Type: t.Type, Float: t.Float, Int: t.Int}
}

// opFlatten is Flatten: (d0..d(axis-1), d(axis)..) to 2-D.
func opFlatten(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	a := n.attrInt("axis", 1)
	r := len(x.Shape)
	if a < -int64(r) || a > int64(r) {
		return nil, n.bad("axis %d is out of range for rank %d", a, r)
	}
	if a < 0 {
		a += int64(r)
	}
	return []*Tensor{reshaped(x, []int{size(x.Shape[:a]), size(x.Shape[a:])})}, nil
}

// opReshape is Reshape: 0 copies the input's dimension (unless allowzero),
// -1 takes what is left.
func opReshape(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	var shape []int
	if n.opset < 5 {
		if shape, err = n.toInts(n.attrInts("shape"), "shape"); err != nil {
			return nil, err
		}
	} else {
		s, err := n.input(in, 1)
		if err != nil {
			return nil, err
		}
		if shape, err = n.ints(s, "shape"); err != nil {
			return nil, err
		}
	}
	allowZero := n.attrInt("allowzero", 0) != 0
	out := make([]int, len(shape))
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == 0 && !allowZero:
			if i >= len(x.Shape) {
				return nil, n.bad("shape %v copies axis %d of a rank-%d input", shape, i, len(x.Shape))
			}
			out[i] = x.Shape[i]
		case d == -1:
			if infer >= 0 {
				return nil, n.bad("shape %v has more than one -1", shape)
			}
			infer = i
			continue
		case d < 0:
			return nil, n.bad("shape %v has a negative dimension", shape)
		default:
			out[i] = d
		}
		known *= out[i]
	}
	if infer >= 0 {
		if known == 0 || x.Len()%known != 0 {
			return nil, n.bad("cannot reshape %v to %v", x.Shape, shape)
		}
		out[infer] = x.Len() / known
	}
	if size(out) != x.Len() {
		return nil, n.bad("cannot reshape %v (%d values) to %v", x.Shape, x.Len(), shape)
	}
	return []*Tensor{reshaped(x, out)}, nil
}

// transpose permutes t's axes: out axis i is t's axis perm[i].
func transpose(t *Tensor, perm []int) *Tensor {
	r := len(perm)
	shape := make([]int, r)
	for i, p := range perm {
		shape[i] = t.Shape[p]
	}
	// Strides of t's axes, in out's axis order.
	inStride, st := tensor.Strides(t.Shape), make([]int, r)
	for i, p := range perm {
		st[i] = inStride[p]
	}
	out, n := newLike(t, shape), size(shape)
	idx := make([]int, r)
	src := 0
	for i := 0; i < n; i++ {
		if t.IsFloat() {
			out.Float[i] = t.Float[src]
		} else {
			out.Int[i] = t.Int[src]
		}
		for k := r - 1; k >= 0; k-- {
			idx[k]++
			src += st[k]
			if idx[k] < shape[k] {
				break
			}
			src -= st[k] * shape[k]
			idx[k] = 0
		}
	}
	return out
}

func opTranspose(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	perm, err := n.permutation(len(x.Shape))
	if err != nil {
		return nil, err
	}
	return []*Tensor{transpose(x, perm)}, nil
}

// permutation reads Transpose's perm for rank r, by default the axes
// reversed, and checks it is a permutation.
func (n *node) permutation(r int) ([]int, error) {
	perm, err := n.toInts(n.attrInts("perm"), "perm")
	if err != nil {
		return nil, err
	}
	if perm == nil {
		perm = make([]int, r)
		for i := range perm {
			perm[i] = r - 1 - i
		}
	}
	seen := make([]bool, r)
	if len(perm) != r {
		return nil, n.bad("perm %v does not fit rank %d", perm, r)
	}
	for _, p := range perm {
		if p < 0 || p >= r || seen[p] {
			return nil, n.bad("perm %v is not a permutation of %d axes", perm, r)
		}
		seen[p] = true
	}
	return perm, nil
}

// opPad is Pad with modes constant, reflect and edge. Pads are
// [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; negative ones crop.
func opPad(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	mode := n.attrString("mode", "constant")
	var pads []int
	value := float32(0)
	if n.opset < 11 {
		if pads, err = n.toInts(n.attrInts("pads"), "pads"); err != nil {
			return nil, err
		}
		value = n.attrFloat("value", 0)
	} else {
		p, err := n.input(in, 1)
		if err != nil {
			return nil, err
		}
		if pads, err = n.ints(p, "pads"); err != nil {
			return nil, err
		}
		if c := optional(in, 2); c != nil {
			v, err := n.scalar(c, "constant_value")
			if err != nil {
				return nil, err
			}
			value = float32(v)
		}
		if optional(in, 3) != nil {
			return nil, n.unsupported("the axes input")
		}
	}
	r := len(x.Shape)
	if len(pads) != 2*r {
		return nil, n.bad("pads %v do not fit rank %d", pads, r)
	}
	shape := make([]int, r)
	for i := range shape {
		shape[i] = x.Shape[i] + pads[i] + pads[r+i]
		if shape[i] < 0 {
			return nil, n.bad("pads %v crop more than the input %v", pads, x.Shape)
		}
		if (mode == "reflect" || mode == "edge") && x.Shape[i] == 0 && shape[i] > 0 {
			return nil, n.bad("cannot %s-pad an empty axis", mode)
		}
		if mode == "reflect" && (pads[i] >= x.Shape[i] && pads[i] > 0 || pads[r+i] >= x.Shape[i] && pads[r+i] > 0) {
			return nil, n.bad("reflect padding %v must be smaller than the input %v", pads, x.Shape)
		}
	}
	switch mode {
	case "constant", "reflect", "edge":
	default:
		return nil, n.unsupported("mode %q", mode)
	}
	total, err := n.checkSize(shape)
	if err != nil {
		return nil, err
	}
	out, inStride := newLike(x, shape), tensor.Strides(x.Shape)
	idx := make([]int, r)
	for o := 0; o < total; o++ {
		src, inside := 0, true
		for k := 0; k < r; k++ {
			j := idx[k] - pads[k]
			if j < 0 || j >= x.Shape[k] {
				switch mode {
				case "constant":
					inside = false
				case "edge":
					j = min(max(j, 0), x.Shape[k]-1)
				case "reflect":
					if j < 0 {
						j = -j
					} else {
						j = 2*(x.Shape[k]-1) - j
					}
				}
			}
			src += j * inStride[k]
		}
		switch {
		case x.IsFloat() && inside:
			out.Float[o] = x.Float[src]
		case x.IsFloat():
			out.Float[o] = value
		case inside:
			out.Int[o] = x.Int[src]
		default:
			out.Int[o] = int64(value)
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

// opConstant is Constant: the value attribute as a tensor.
func opConstant(n *node, in []*Tensor) ([]*Tensor, error) {
	switch {
	case n.has("value"):
		t, err := TensorFromProto(n.attrs["value"].GetT())
		if err != nil {
			return nil, err
		}
		return []*Tensor{t}, nil
	case n.has("value_float"):
		return []*Tensor{{Type: onnxpb.TensorProto_FLOAT, Float: []float32{n.attrFloat("value_float", 0)}}}, nil
	case n.has("value_floats"):
		f := n.attrs["value_floats"].GetFloats()
		return []*Tensor{{Shape: []int{len(f)}, Type: onnxpb.TensorProto_FLOAT, Float: append([]float32(nil), f...)}}, nil
	case n.has("value_int"):
		return []*Tensor{{Type: onnxpb.TensorProto_INT64, Int: []int64{n.attrInt("value_int", 0)}}}, nil
	case n.has("value_ints"):
		v := n.attrInts("value_ints")
		return []*Tensor{{Shape: []int{len(v)}, Type: onnxpb.TensorProto_INT64, Int: append([]int64(nil), v...)}}, nil
	}
	return nil, n.unsupported("a value that is not a dense tensor, float or int")
}

func opIdentity(n *node, in []*Tensor) ([]*Tensor, error) {
	x, err := n.input(in, 0)
	if err != nil {
		return nil, err
	}
	return []*Tensor{x}, nil
}

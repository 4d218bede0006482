package onnx

import (
	"fmt"
	"strings"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// Conversions of the operators that move values between axes (Transpose,
// Reshape, Pad, Concat and Softmax on another axis than the channels' or
// the last) and of Add, Sub, Mul and Div of two computed values, onto the
// nn layers of the same names.
// A computed value is (N, S...): the batch axis stays first and separate,
// so an operator that moves, pads or mixes it cannot be trained by example
// and is refused.

// maxImportValues caps the values per example of a layer's output, checked
// before the layer builds index maps of that size, so that a file with
// absurd pads or broadcasts is an error rather than a huge allocation.
// Fuzz tests lower it.
var maxImportValues = 1 << 26

// checkValues is the cap above for a per-example shape.
func checkValues(n *node, shape []int) error {
	total := 1
	for _, d := range shape {
		if d < 0 || d > 0 && total > maxImportValues/d {
			return n.bad("an example of shape %v is too large", shape)
		}
		total *= d
	}
	return nil
}

// transposeLayer maps Transpose; perm must keep the batch axis first.
func transposeLayer(n *node, x []int, cannot func(string) error) (nn.Layer, error) {
	r := len(x) + 1
	if !n.has("perm") {
		return nil, cannot("the default permutation reverses the axes, moving the batch axis")
	}
	perm, err := n.permutation(r)
	if err != nil {
		return nil, err
	}
	if perm[0] != 0 {
		return nil, cannot(fmt.Sprintf("perm %v moves the batch axis", perm))
	}
	per := make([]int, r-1)
	for i, p := range perm[1:] {
		per[i] = p - 1
	}
	return nn.NewTranspose(per...), nil
}

// reshapeTarget resolves a Reshape's shape for a batch of examples of shape
// x into the per-example shape, following ONNX's rules (0 copies the
// input's dimension unless allowzero, -1 takes what is left). The first
// entry must stand for the batch: 0, -1, or the model's fixed batch size.
func reshapeTarget(n *node, x []int, shape []int, batch int, cannot func(string) error) ([]int, error) {
	if len(shape) == 0 {
		return nil, cannot("a reshape to a scalar drops the batch axis")
	}
	allowZero := n.attrInt("allowzero", 0) != 0
	switch first := shape[0]; {
	case first == 0 && !allowZero, first == -1, first == batch && batch > 0:
	default:
		return nil, cannot(fmt.Sprintf("shape %v: its first entry must keep the batch (0 or -1)", shape))
	}
	out := make([]int, len(shape)-1)
	infer, known := -1, 1
	for i, d := range shape[1:] {
		switch {
		case d == 0 && !allowZero:
			if i >= len(x) {
				return nil, n.bad("shape %v copies axis %d of a rank-%d input", shape, i+1, len(x)+1)
			}
			out[i] = x[i]
		case d == -1:
			if infer >= 0 || shape[0] == -1 {
				return nil, cannot(fmt.Sprintf("shape %v: with more than one -1 the batch axis may mix with others", shape))
			}
			infer = i
			continue
		case d < 1:
			return nil, cannot(fmt.Sprintf("shape %v has an empty or negative dimension", shape))
		default:
			out[i] = d
		}
		if out[i] > 0 && known > maxImportValues/out[i] {
			return nil, n.bad("shape %v is too large", shape)
		}
		known *= out[i]
	}
	total := tensor.Size(x)
	if infer >= 0 {
		if total%known != 0 {
			return nil, n.bad("cannot reshape examples of shape %v to %v", x, shape)
		}
		out[infer] = total / known
	}
	if tensor.Size(out) != total {
		return nil, cannot(fmt.Sprintf("shape %v does not keep each example's %d values apart: the batch would mix with other axes", shape, total))
	}
	return out, nil
}

// reshapeTo binds n's output to x reshaped to the per-example shape to:
// x itself when the shape is the same, a flatten to one axis, or a reshape.
func (im *importer) reshapeTo(n *node, x *nn.Node, to []int) error {
	switch {
	case tensor.EqualShape(to, x.Shape):
		im.values[n.out[0]] = x
		return nil
	case len(to) == 1:
		return im.addNodes(n, []nn.Layer{nn.Flatten{}}, x)
	}
	return im.addNodes(n, []nn.Layer{nn.NewReshape(to...)}, x)
}

// squeezeShape is the per-example shape after Squeeze or Unsqueeze of
// examples of shape x, which may neither drop nor insert an axis before
// the batch's. Squeeze without axes drops the examples' axes of size 1
// and keeps the batch axis, whatever the batch size.
func (im *importer) squeezeShape(n *node, x []int, cannot func(string) error) ([]int, error) {
	args := []*Tensor{nil}
	if len(n.in) > 1 && n.in[1] != "" {
		t, ok := im.consts[n.in[1]]
		if !ok {
			return nil, cannot("the axes must be constant")
		}
		args = append(args, t)
	}
	axes, ok, err := n.axesArg(args)
	if err != nil {
		return nil, err
	}
	r := len(x) + 1
	var out []int
	if n.op == "Unsqueeze" {
		if !ok {
			return nil, n.bad("axes are required")
		}
		if r+len(axes) > maxRank {
			return nil, n.bad("rank %d is too large", r+len(axes))
		}
		if axes, err = n.normAxes(axes, r+len(axes)); err != nil {
			return nil, err
		}
		if axes[0] == 0 {
			return nil, cannot("an axis inserted before the batch axis")
		}
		src, rank := 0, r+len(axes)
		for i := 1; i < rank; i++ {
			if len(axes) > 0 && axes[0] == i {
				out, axes = append(out, 1), axes[1:]
				continue
			}
			out, src = append(out, x[src]), src+1
		}
		return out, nil
	}
	drop := make([]bool, len(x))
	if ok {
		if axes, err = n.normAxes(axes, r); err != nil {
			return nil, err
		}
		for _, a := range axes {
			if a == 0 {
				return nil, cannot("squeezing the batch axis")
			}
			if x[a-1] != 1 {
				return nil, n.bad("axis %d has size %d, not 1", a, x[a-1])
			}
			drop[a-1] = true
		}
	} else {
		for i, d := range x {
			drop[i] = d == 1
		}
	}
	for i, d := range x {
		if !drop[i] {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, cannot("squeezing every axis of the examples leaves them no shape")
	}
	return out, nil
}

// fusedBias finds the Add of a constant that is the only use of MatMul
// n's product, as exporters write the bias of a Linear layer, and returns
// the constant when it is a bias of out values along the last axis of a
// rank-r product (batch excluded). The Add is then marked to pass the
// layer's output on, so that the bias is learned rather than a constant.
func (im *importer) fusedBias(n *node, r, out int) *Tensor {
	o := n.out[0]
	var use *node
	for _, c := range im.p.nodes {
		for _, name := range c.in {
			if name == o {
				if use != nil {
					return nil // used twice
				}
				use = c
			}
		}
	}
	for _, v := range im.p.Outputs {
		if v.Name == o {
			return nil
		}
	}
	if use == nil || use.op != "Add" || len(use.in) != 2 || use.opset < 7 || len(use.out) == 0 {
		return nil
	}
	other := use.in[0]
	if other == o {
		other = use.in[1]
	}
	t, ok := im.consts[other]
	if !ok || !t.IsFloat() || t.Len() != out || len(t.Shape) == 0 || len(t.Shape) > r+1 || t.Shape[len(t.Shape)-1] != out {
		return nil
	}
	im.fused[use] = o
	return t
}

// padLayer maps Pad with non-zero pads; the batch axis is not padded.
// It returns nil for all-zero pads, an identity.
func (im *importer) padLayer(n *node, x []int, cannot func(string) error) (nn.Layer, error) {
	mode := n.attrString("mode", "constant")
	switch mode {
	case "constant", "reflect", "edge":
	default:
		return nil, n.unsupported("mode %q", mode)
	}
	var pads []int
	var value float32
	var err error
	if n.opset < 11 {
		if pads, err = n.toInts(n.attrInts("pads"), "pads"); err != nil {
			return nil, err
		}
		value = n.attrFloat("value", 0)
	} else {
		if len(n.in) < 2 {
			return nil, n.bad("no pads input")
		}
		p, ok := im.consts[n.in[1]]
		if !ok {
			return nil, cannot("pads must be constant")
		}
		if pads, err = n.ints(p, "pads"); err != nil {
			return nil, err
		}
		if len(n.in) > 2 && n.in[2] != "" {
			c, ok := im.consts[n.in[2]]
			if !ok {
				return nil, cannot("constant_value must be constant")
			}
			v, err := n.scalar(c, "constant_value")
			if err != nil {
				return nil, err
			}
			value = float32(v)
		}
		if len(n.in) > 3 && n.in[3] != "" {
			return nil, cannot("the axes input")
		}
	}
	r := len(x) + 1
	if len(pads) != 2*r {
		return nil, n.bad("pads %v do not fit rank %d", pads, r)
	}
	if allZero(pads) {
		return nil, nil
	}
	if pads[0] != 0 || pads[r] != 0 {
		return nil, cannot(fmt.Sprintf("pads %v pad the batch axis", pads))
	}
	out := make([]int, len(x))
	for k, d := range x {
		out[k] = d + pads[1+k] + pads[r+1+k]
	}
	if err := checkValues(n, out); err != nil {
		return nil, err
	}
	return &nn.Pad{Mode: mode, Begin: append([]int(nil), pads[1:r]...), End: append([]int(nil), pads[r+1:]...), Value: value}, nil
}

func allZero(v []int) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// softmaxLayers maps Softmax and LogSoftmax: the last axis to the
// last-axis layers, another axis to nn.SoftmaxAxis (opset 13 on), and,
// before opset 13, where the operator normalised everything from axis on
// as one row, to a reshape, the last-axis layer and the reshape back.
func softmaxLayers(n *node, x []int, cannot func(string) error) ([]nn.Layer, error) {
	log := n.op == "LogSoftmax"
	last := func() nn.Layer {
		if log {
			return nn.NewLogSoftmax()
		}
		return nn.MustActivation("softmax")
	}
	r := len(x) + 1
	ax, err := n.softmaxAxis(r)
	if err != nil {
		return nil, err
	}
	switch {
	case ax == 0:
		return nil, cannot("a softmax over the batch axis mixes the examples")
	case ax == r-1:
		return []nn.Layer{last()}, nil
	case n.opset >= 13:
		return []nn.Layer{nn.NewSoftmaxAxis(ax-1, log)}, nil
	}
	rows := append(append([]int(nil), x[:ax-1]...), tensor.Size(x[ax-1:]))
	return []nn.Layer{nn.NewReshape(rows...), last(), nn.NewReshape(x...)}, nil
}

// binaryData maps Add, Sub, Mul and Div of two computed values: Add of
// one shape to nn.Add, anything else to nn.Binary. Both carry the batch
// axis, so they must have one rank.
func (im *importer) binaryData(n *node, x, y *nn.Node, cannot func(string) error) error {
	op := map[string]string{"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"}[n.op]
	if len(x.Shape) != len(y.Shape) {
		return cannot(fmt.Sprintf("operands of shapes (N, %v) and (N, %v): broadcasting them would pair the batch axis with another", x.Shape, y.Shape))
	}
	out, ok := broadcastShape(x.Shape, y.Shape)
	if !ok {
		return n.bad("shapes (N, %v) and (N, %v) do not broadcast", x.Shape, y.Shape)
	}
	if err := checkValues(n, out); err != nil {
		return err
	}
	if op == "add" && x != y && tensor.EqualShape(x.Shape, y.Shape) {
		return im.addNodes(n, []nn.Layer{nn.NewAdd()}, x, y)
	}
	in, err := im.distinct(n, []*nn.Node{x, y})
	if err != nil {
		return err
	}
	return im.addNodes(n, []nn.Layer{nn.NewBinary(op)}, in...)
}

// distinct returns inputs with every repeat of a node read through a copy
// (a reshape to its own shape): a layer writes each input's gradient
// apart, so two inputs that are one node would overwrite, not sum, theirs.
func (im *importer) distinct(n *node, inputs []*nn.Node) ([]*nn.Node, error) {
	out := make([]*nn.Node, len(inputs))
	for i, x := range inputs {
		out[i] = x
		for _, y := range inputs[:i] {
			if x == y {
				c, err := im.g.Add(nn.NewReshape(x.Shape...), x)
				if err != nil {
					return nil, n.bad("%v", err)
				}
				out[i] = c
				break
			}
		}
	}
	return out, nil
}

// concat maps Concat of computed values along any axis but the batch's:
// on the channel axis (1) to nn.Concat; on another, each input's axis is
// moved first by a Transpose, the inputs are joined there, and the result
// is moved back.
func (im *importer) concat(n *node, inputs []*nn.Node, cannot func(string) error) error {
	if len(inputs) == 0 {
		return n.bad("no inputs")
	}
	r := len(inputs[0].Shape) + 1
	for _, x := range inputs[1:] {
		if len(x.Shape)+1 != r {
			return n.bad("inputs of shapes (N, %v) and (N, %v) differ in rank", inputs[0].Shape, x.Shape)
		}
	}
	ax, err := n.axis(n.attrInt("axis", 1), r)
	switch {
	case err != nil:
		return err
	case ax == 0:
		return cannot("a concatenation along the batch axis mixes the examples")
	case len(inputs) == 1:
		im.values[n.out[0]] = inputs[0]
		return nil
	case ax == 1:
		in, err := im.distinct(n, inputs)
		if err != nil {
			return err
		}
		return im.addNodes(n, []nn.Layer{nn.NewConcat()}, in...)
	}
	a := ax - 1
	perm, inv := []int{a}, make([]int, r-1)
	for k := 0; k < r-1; k++ {
		if k != a {
			perm = append(perm, k)
		}
	}
	for i, p := range perm {
		inv[p] = i
	}
	moved := make([]*nn.Node, len(inputs))
	for i, x := range inputs {
		if moved[i], err = im.g.Add(nn.NewTranspose(perm...), x); err != nil {
			return n.bad("%v", err)
		}
	}
	return im.addNodes(n, []nn.Layer{nn.NewConcat(), nn.NewTranspose(inv...)}, moved...)
}

// addNodes adds a chain of layers, the first fed by inputs, and binds the
// node's output to the last.
func (im *importer) addNodes(n *node, ls []nn.Layer, inputs ...*nn.Node) error {
	var node *nn.Node
	for _, l := range ls {
		var err error
		if node, err = im.g.Add(l, inputs...); err != nil {
			return n.bad("%v", err)
		}
		inputs = []*nn.Node{node}
	}
	im.values[n.out[0]] = node
	return nil
}

// matmulData maps MatMul of two computed values to nn.MatMul. Both carry
// the batch axis, and numpy's rules keep it apart only as a leading axis of
// both: the operands must be (N, ..., M, K) and (N, ..., K, P) of one rank,
// three or more. With ranks that differ the batch axis would broadcast
// against another, and a (N, K) operand is a matrix whose rows are the
// examples.
func (im *importer) matmulData(n *node, x, y *nn.Node, cannot func(string) error) error {
	if len(x.Shape) != len(y.Shape) {
		return cannot(fmt.Sprintf("operands of shapes %s and %s: broadcasting them would pair the batch axis with another", batched(x.Shape), batched(y.Shape)))
	}
	if len(x.Shape) < 2 {
		return cannot(fmt.Sprintf("operands of shapes %s and %s: the batch axis would be an axis of the matrices, multiplying the examples together", batched(x.Shape), batched(y.Shape)))
	}
	r := len(x.Shape)
	if x.Shape[r-1] != y.Shape[r-2] {
		return n.bad("shapes %s and %s do not multiply", batched(x.Shape), batched(y.Shape))
	}
	lead, ok := broadcastShape(x.Shape[:r-2], y.Shape[:r-2])
	if !ok {
		return n.bad("shapes %s and %s: the axes before the matrices do not broadcast", batched(x.Shape), batched(y.Shape))
	}
	if err := checkValues(n, lead); err != nil {
		return err
	}
	if err := checkValues(n, append(lead, x.Shape[r-2], y.Shape[r-1])); err != nil {
		return err
	}
	return im.addNodes(n, []nn.Layer{nn.NewMatMul()}, x, y)
}

// batched writes the shape of a batch of examples of shape s: (N, 3, 4).
func batched(s []int) string {
	return "(N, " + strings.Trim(tensor.ShapeString(s), "()") + ")"
}

package onnx

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/convnet/convnet/onnx/onnxpb"
)

// Program is an ONNX graph ready to run: its operators are checked against
// the ones convnet implements once, when it is compiled, and each Run then
// interprets the nodes in order over the tensors bound to the graph inputs.
type Program struct {
	Inputs  []ValueInfo // graph inputs that have no initializer, bound in order by Run
	Outputs []ValueInfo // graph outputs, in order

	consts map[string]*Tensor // initializers
	nodes  []*node
}

// ValueInfo is the name, element type and shape of a graph input or
// output. Shape has -1 for a dimension that is symbolic ("N") or unknown.
type ValueInfo struct {
	Name  string
	Type  onnxpb.TensorProto_DataType
	Shape []int
}

// node is one compiled NodeProto.
type node struct {
	name  string // NodeProto.name, or its first output when unnamed
	op    string
	opset int64
	in    []string
	out   []string
	attrs map[string]*onnxpb.AttributeProto
	run   opFunc
}

// opFunc runs one node. in holds a tensor per node input, nil for an
// omitted optional input. It returns one tensor per node output.
type opFunc func(n *node, in []*Tensor) ([]*Tensor, error)

// Compile checks that m holds only operators convnet implements and
// prepares it to run. An operator it lacks is an UnsupportedError naming
// the operator, the node and the opset.
func Compile(m *onnxpb.ModelProto) (*Program, error) {
	g := m.GetGraph()
	if g == nil {
		return nil, &FormatError{Msg: "an ONNX model without a graph"}
	}
	opsets := map[string]int64{}
	for _, o := range m.GetOpsetImport() {
		d := o.GetDomain()
		if d == "ai.onnx" {
			d = ""
		}
		opsets[d] = o.GetVersion()
	}
	p := &Program{consts: map[string]*Tensor{}}
	for _, init := range g.GetInitializer() {
		t, err := TensorFromProto(init)
		if err != nil {
			return nil, err
		}
		p.consts[init.GetName()] = t
	}
	if len(g.GetSparseInitializer()) > 0 {
		return nil, &UnsupportedError{What: "sparse initializers"}
	}
	for _, vi := range g.GetInput() {
		if _, ok := p.consts[vi.GetName()]; ok {
			continue
		}
		info, err := valueInfo(vi)
		if err != nil {
			return nil, err
		}
		p.Inputs = append(p.Inputs, info)
	}
	for _, vi := range g.GetOutput() {
		info, err := valueInfo(vi)
		if err != nil {
			return nil, err
		}
		p.Outputs = append(p.Outputs, info)
	}
	for i, np := range g.GetNode() {
		n := &node{name: np.GetName(), op: np.GetOpType(), in: np.GetInput(), out: np.GetOutput(), attrs: map[string]*onnxpb.AttributeProto{}}
		if n.name == "" {
			// Unnamed: call it by its first output, or its position.
			n.name = fmt.Sprintf("#%d", i)
			for _, o := range n.out {
				if o != "" {
					n.name = o
					break
				}
			}
		}
		dom := np.GetDomain()
		if dom == "ai.onnx" {
			dom = ""
		}
		v, ok := opsets[dom]
		if !ok {
			return nil, &FormatError{Msg: fmt.Sprintf("node %q uses domain %q, which the model does not import", n.name, dom)}
		}
		n.opset = v
		if dom != "" {
			return nil, &UnsupportedError{Op: dom + "." + n.op, Node: n.name, Opset: v, What: "only the default ONNX domain is implemented"}
		}
		run, ok := ops[n.op]
		if !ok {
			return nil, &UnsupportedError{Op: n.op, Node: n.name, Opset: v}
		}
		n.run = run
		for _, a := range np.GetAttribute() {
			if a.GetRefAttrName() != "" {
				return nil, &UnsupportedError{Op: n.op, Node: n.name, Opset: v, What: "attribute references (functions)"}
			}
			n.attrs[a.GetName()] = a
		}
		p.nodes = append(p.nodes, n)
	}
	return p, nil
}

// SupportedOps lists, sorted, the operators of the default domain that
// Compile accepts.
func SupportedOps() []string {
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func valueInfo(vi *onnxpb.ValueInfoProto) (ValueInfo, error) {
	info := ValueInfo{Name: vi.GetName()}
	tt := vi.GetType().GetTensorType()
	if tt == nil {
		if vi.GetType() != nil && vi.GetType().GetValue() != nil {
			return info, &UnsupportedError{What: fmt.Sprintf("graph input or output %q is not a tensor", info.Name)}
		}
		return info, nil
	}
	info.Type = onnxpb.TensorProto_DataType(tt.GetElemType())
	if _, isInt := intTypes[info.Type]; info.Type != 0 && info.Type != onnxpb.TensorProto_FLOAT && !isInt {
		return info, &UnsupportedError{What: fmt.Sprintf("%q has element type %s (convnet computes in float32 and integers)", info.Name, typeName(info.Type))}
	}
	if sh := tt.GetShape(); sh != nil {
		if len(sh.GetDim()) > maxRank {
			return info, &FormatError{Msg: fmt.Sprintf("%q has %d dimensions", info.Name, len(sh.GetDim()))}
		}
		info.Shape = make([]int, len(sh.GetDim()))
		for i, d := range sh.GetDim() {
			info.Shape[i] = -1
			if _, ok := d.GetValue().(*onnxpb.TensorShapeProto_Dimension_DimValue); ok && d.GetDimValue() >= 0 && d.GetDimValue() <= maxElements {
				info.Shape[i] = int(d.GetDimValue())
			}
		}
	}
	return info, nil
}

// Run binds inputs, in order, to the graph inputs that have no
// initializer, runs every node, and returns the graph outputs in order.
// Inputs are not modified; outputs may share data with inputs or
// initializers (Identity, Reshape). A shape or value the graph cannot take
// is an error, never a panic. Run is safe for concurrent use.
func (p *Program) Run(inputs []*Tensor) (outs []*Tensor, err error) {
	if len(inputs) != len(p.Inputs) {
		return nil, fmt.Errorf("onnx: the model takes %d inputs (%s), given %d", len(p.Inputs), inputNames(p.Inputs), len(inputs))
	}
	env := make(map[string]*Tensor, len(p.consts)+len(p.nodes))
	for k, v := range p.consts {
		env[k] = v
	}
	for i, t := range inputs {
		info := p.Inputs[i]
		if info.Type != 0 && info.Type != t.Type {
			return nil, fmt.Errorf("onnx: input %q is %s, the model takes %s", info.Name, typeName(t.Type), typeName(info.Type))
		}
		if info.Shape != nil && !shapeFits(t.Shape, info.Shape) {
			return nil, fmt.Errorf("onnx: input %q has shape %v, the model takes %s", info.Name, t.Shape, shapePattern(info.Shape))
		}
		env[info.Name] = t
	}
	for _, n := range p.nodes {
		in := make([]*Tensor, len(n.in))
		for i, name := range n.in {
			if name == "" {
				continue
			}
			t, ok := env[name]
			if !ok {
				return nil, &FormatError{Msg: fmt.Sprintf("node %q (%s) reads %q, which no earlier node or input produces", n.name, n.op, name)}
			}
			in[i] = t
		}
		res, err := runNode(n, in)
		if err != nil {
			return nil, err
		}
		for i, name := range n.out {
			if name == "" {
				continue
			}
			if i >= len(res) || res[i] == nil {
				return nil, &UnsupportedError{Op: n.op, Node: n.name, Opset: n.opset, What: fmt.Sprintf("output %d", i)}
			}
			env[name] = res[i]
		}
	}
	for _, o := range p.Outputs {
		t, ok := env[o.Name]
		if !ok {
			return nil, &FormatError{Msg: fmt.Sprintf("graph output %q is never produced", o.Name)}
		}
		outs = append(outs, t)
	}
	return outs, nil
}

// runNode runs one node, turning a panic in the code below (a shape check
// missed) into an error, so that a malformed file is never a crash.
func runNode(n *node, in []*Tensor) (out []*Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("onnx: node %q (%s): %v", n.name, n.op, r)
		}
	}()
	return n.run(n, in)
}

func inputNames(vs []ValueInfo) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

func shapeFits(shape, pattern []int) bool {
	if len(shape) != len(pattern) {
		return false
	}
	for i, d := range pattern {
		if d >= 0 && shape[i] != d {
			return false
		}
	}
	return true
}

func shapePattern(p []int) string {
	parts := make([]string, len(p))
	for i, d := range p {
		parts[i] = fmt.Sprint(d)
		if d < 0 {
			parts[i] = "?"
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Node helpers: attributes with defaults, and typed errors that name the
// node.

func (n *node) attrInt(name string, def int64) int64 {
	if a, ok := n.attrs[name]; ok {
		return a.GetI()
	}
	return def
}

func (n *node) attrInts(name string) []int64 {
	if a, ok := n.attrs[name]; ok {
		return a.GetInts()
	}
	return nil
}

func (n *node) attrFloat(name string, def float32) float32 {
	if a, ok := n.attrs[name]; ok {
		return a.GetF()
	}
	return def
}

func (n *node) attrString(name, def string) string {
	if a, ok := n.attrs[name]; ok {
		return string(a.GetS())
	}
	return def
}

func (n *node) has(name string) bool { _, ok := n.attrs[name]; return ok }

// bad is a FormatError about this node: inputs or attributes that break
// the operator's rules.
func (n *node) bad(format string, a ...any) error {
	return &FormatError{Msg: fmt.Sprintf("node %q (%s): %s", n.name, n.op, fmt.Sprintf(format, a...))}
}

// unsupported is an UnsupportedError for a feature of this node.
func (n *node) unsupported(format string, a ...any) error {
	return &UnsupportedError{Op: n.op, Node: n.name, Opset: n.opset, What: fmt.Sprintf(format, a...)}
}

// input returns input i, or an error when it is missing.
func (n *node) input(in []*Tensor, i int) (*Tensor, error) {
	if i >= len(in) || in[i] == nil {
		return nil, n.bad("input %d is missing", i+1)
	}
	return in[i], nil
}

// floatInput returns input i, which must be float32.
func (n *node) floatInput(in []*Tensor, i int) (*Tensor, error) {
	t, err := n.input(in, i)
	if err != nil {
		return nil, err
	}
	if !t.IsFloat() {
		return nil, n.unsupported("input %d is %s; convnet computes in float32", i+1, typeName(t.Type))
	}
	return t, nil
}

// optional returns input i or nil when it is omitted.
func optional(in []*Tensor, i int) *Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// scalar returns the single value of a float or integer tensor.
func (n *node) scalar(t *Tensor, what string) (float64, error) {
	if t.Len() != 1 {
		return 0, n.bad("%s must hold one value, has shape %v", what, t.Shape)
	}
	if t.IsFloat() {
		return float64(t.Float[0]), nil
	}
	return float64(t.Int[0]), nil
}

// ints returns an integer tensor's values as ints.
func (n *node) ints(t *Tensor, what string) ([]int, error) {
	if t.IsFloat() || len(t.Shape) > 1 {
		return nil, n.bad("%s must be a 1-D integer tensor, is %s", what, t)
	}
	out := make([]int, len(t.Int))
	for i, v := range t.Int {
		if v > maxElements || v < -maxElements {
			return nil, n.bad("%s holds %d", what, v)
		}
		out[i] = int(v)
	}
	return out, nil
}

// axis normalises a possibly negative axis for a tensor of rank r.
func (n *node) axis(a int64, r int) (int, error) {
	if a < -int64(r) || a >= int64(r) {
		return 0, n.bad("axis %d is out of range for rank %d", a, r)
	}
	if a < 0 {
		a += int64(r)
	}
	return int(a), nil
}

// toInts converts attribute values, rejecting absurd ones.
func (n *node) toInts(vs []int64, what string) ([]int, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	out := make([]int, len(vs))
	for i, v := range vs {
		if v > math.MaxInt32 || v < math.MinInt32 {
			return nil, n.bad("%s holds %d", what, v)
		}
		out[i] = int(v)
	}
	return out, nil
}

// maxValues caps the size of any tensor a node produces, so that a file
// with absurd attributes (a stride of 10⁹ in a ConvTranspose, pads of 10⁹)
// is an error rather than a huge allocation. Fuzz tests lower it.
var maxValues = 1 << 28

// checkSize returns the element count of shape, or an error when it is
// negative or above maxValues (checked as it multiplies, without overflow).
func (n *node) checkSize(shape []int) (int, error) {
	total := 1
	for _, d := range shape {
		if d < 0 {
			return 0, n.bad("output shape %v has a negative dimension", shape)
		}
		if d > 0 && total > maxValues/d {
			return 0, n.bad("output shape %v is too large", shape)
		}
		total *= d
	}
	if total > maxValues {
		return 0, n.bad("output shape %v is too large", shape)
	}
	return total, nil
}

// newFloat allocates a node's float output after checkSize.
func (n *node) newFloat(shape ...int) (*Tensor, error) {
	if _, err := n.checkSize(shape); err != nil {
		return nil, err
	}
	return NewFloat(shape...), nil
}

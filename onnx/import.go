package onnx

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx/onnxpb"
	"github.com/convnet/convnet/tensor"
)

// Import turns an ONNX model into an nn.Model that can be evaluated and
// fine-tuned. A model written by Export is rebuilt from its spec in
// metadata_props and gets its weights back bit for bit. Any other model
// must have one graph input, a batch of examples (N, ...), weights as
// initializers or Constant nodes, and operators that map onto nn layers:
// Conv, ConvTranspose, Gemm and MatMul by a constant matrix (as dense
// layers, MatMul along the last axis, with the bias of an Add after it),
// MatMul of two computed values of one rank, three or more (stacks of
// matrices per example, as in attention), MaxPool, AveragePool, the global pools, BatchNormalization, Dropout, the
// activations, Clip, PRelu, Flatten, and, as long as they keep the batch
// axis first and apart, Reshape, Squeeze, Unsqueeze, Transpose, Pad,
// Concat, Softmax and LogSoftmax on any axis, and Add, Sub, Mul and Div of
// two computed values or of one and a constant, with broadcasting.
// Anything else is an UnsupportedError; `convnet run` still executes such
// graphs. The input must be a batch of images (N, C, H, W); ImportWith
// takes other inputs for training on images of the same size.
func Import(mp *onnxpb.ModelProto) (*nn.Model, error) {
	return ImportWith(mp, ImportOptions{})
}

// ImportOptions adjust Import to the data a model is fine-tuned on.
type ImportOptions struct {
	// Example is the shape of the training data's examples, (C, H, W).
	// When it is set, a model whose input is not a batch of images, such
	// as an MLP's (N, 784), imports as long as its examples hold as many
	// values: the graph then starts with a reshape of the (N, C, H, W)
	// batch to the model's input, reading the image in row-major order as
	// PyTorch's x.view(N, -1) does. An image input must match Example.
	Example []int
}

// InputError is a model whose input does not fit the examples of the data
// it is to be trained on.
type InputError struct {
	Model, Data []int // per-example shapes, batch excluded
}

func (e *InputError) Error() string {
	if len(e.Model) == 3 {
		return fmt.Sprintf("onnx: the model takes images of shape %s, the data's are %s; train it on images of its shape", tensor.ShapeString(e.Model), tensor.ShapeString(e.Data))
	}
	return fmt.Sprintf("onnx: the model takes examples of shape %s (%d values), the data's are %s (%d values); train it on data whose examples have as many values",
		tensor.ShapeString(e.Model), tensor.Size(e.Model), tensor.ShapeString(e.Data), tensor.Size(e.Data))
}

// ImportWith is Import with options.
func ImportWith(mp *onnxpb.ModelProto, opts ImportOptions) (*nn.Model, error) {
	meta := map[string]string{}
	for _, kv := range mp.GetMetadataProps() {
		meta[kv.GetKey()] = kv.GetValue()
	}
	var classes []string
	if s, ok := meta[MetaClasses]; ok {
		if err := json.Unmarshal([]byte(s), &classes); err != nil {
			return nil, &FormatError{Msg: "metadata " + MetaClasses + " is not a JSON list of names"}
		}
	}
	p, err := Compile(mp)
	if err != nil {
		return nil, err
	}
	if len(p.Inputs) != 1 {
		return nil, &UnsupportedError{What: fmt.Sprintf("importing a graph with %d inputs; convnet models take one batch of examples", len(p.Inputs))}
	}
	if len(p.Outputs) != 1 {
		return nil, &UnsupportedError{What: fmt.Sprintf("importing a graph with %d outputs", len(p.Outputs))}
	}
	shape := p.Inputs[0].Shape
	if len(shape) < 2 {
		return nil, &UnsupportedError{What: fmt.Sprintf("input %q of shape %s: want a batch axis and at least one more", p.Inputs[0].Name, shapePattern(shape))}
	}
	if len(shape) != 4 && opts.Example == nil {
		return nil, &UnsupportedError{What: fmt.Sprintf("input %q of shape %s: convnet models take batches of images (N, C, H, W); `convnet train --init` fine-tunes it on images of as many values, `convnet run` executes the graph", p.Inputs[0].Name, shapePattern(shape))}
	}
	input := shape[1:]
	for _, d := range input {
		if d < 1 {
			return nil, &UnsupportedError{What: fmt.Sprintf("input %q of shape %s: every axis but the batch must have a fixed size", p.Inputs[0].Name, shapePattern(shape))}
		}
	}
	total := 1
	for _, d := range input {
		if total > maxImportInput/d {
			return nil, &UnsupportedError{What: fmt.Sprintf("input %q of shape %s is too large for an nn model", p.Inputs[0].Name, shapePattern(shape))}
		}
		total *= d
	}
	if spec, ok := meta[MetaSpec]; ok {
		return importSpec(p, spec, meta[MetaActivation], input, classes)
	}
	example := input
	if opts.Example != nil && !tensor.EqualShape(input, opts.Example) {
		if len(input) == 3 || tensor.Size(input) != tensor.Size(opts.Example) {
			return nil, &InputError{Model: append([]int(nil), input...), Data: append([]int(nil), opts.Example...)}
		}
		example = opts.Example
	}
	im := &importer{p: p, g: nn.NewGraph(example...), values: map[string]*nn.Node{}, consts: map[string]*Tensor{}, fused: map[*node]string{}, batch: shape[0]}
	for k, v := range p.consts {
		im.consts[k] = v
	}
	im.values[p.Inputs[0].Name] = im.g.Input()
	if !tensor.EqualShape(example, input) {
		// The data's images, read as the model's input.
		var l nn.Layer = nn.NewReshape(input...)
		if len(input) == 1 {
			l = nn.Flatten{}
		}
		im.values[p.Inputs[0].Name] = im.g.MustAdd(l)
	}
	for _, n := range p.nodes {
		if err := im.safeNode(n); err != nil {
			return nil, err
		}
	}
	out, ok := im.values[p.Outputs[0].Name]
	if !ok {
		return nil, &UnsupportedError{What: fmt.Sprintf("the output %q does not depend on the input", p.Outputs[0].Name)}
	}
	im.g.SetOutput(out)
	if classes == nil && len(out.Shape) == 1 {
		classes = make([]string, out.Shape[0])
		for i := range classes {
			classes[i] = strconv.Itoa(i)
		}
	}
	return &nn.Model{Input: append([]int(nil), example...), Classes: classes, Graph: im.g}, nil
}

// maxImportInput caps the values per example of an imported model: layers
// size their parameters from the shapes, so a file claiming a huge input
// must not make them allocate.
const maxImportInput = 1 << 24

// importSpec rebuilds a model convnet exported and binds every parameter
// and state tensor to the initializer of the same name.
func importSpec(p *Program, spec, act string, input []int, classes []string) (*nn.Model, error) {
	// The spec may not ask for more parameters than the file holds values.
	var budget int64 = 1
	for _, t := range p.consts {
		budget += int64(t.Len())
	}
	m, err := nn.NewModel(spec, input, classes, nn.SpecOptions{Activation: act, MaxParams: budget})
	if err != nil {
		return nil, &FormatError{Msg: "its convnet model spec does not build: " + err.Error()}
	}
	for _, q := range append(m.Graph.Params(), m.Graph.State()...) {
		t, ok := p.consts[q.Name]
		if !ok {
			return nil, &FormatError{Msg: fmt.Sprintf("no initializer %q for the model's parameter", q.Name)}
		}
		// PReLU slopes are stored broadcastable, (C,1,1): compare sizes.
		if !t.IsFloat() || t.Len() != q.Value.Len() {
			return nil, &FormatError{Msg: fmt.Sprintf("initializer %q is %s, the model's parameter %v", q.Name, t, q.Value.Shape)}
		}
		copy(q.Value.Data, t.Float)
	}
	return m, nil
}

type importer struct {
	p      *Program
	g      *nn.Graph
	batch  int                 // the graph input's batch size, or -1 when it is symbolic
	values map[string]*nn.Node // data values: outputs of layers
	consts map[string]*Tensor  // initializers and Constant outputs
	fused  map[*node]string    // Adds of a bias taken into the layer before: the value they pass on
}

// safeNode is node with a recover, so that a check missed below makes a
// malformed file an error, never a crash (layers panic on misuse).
func (im *importer) safeNode(n *node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = n.bad("%v", r)
		}
	}()
	return im.node(n)
}

// node maps one ONNX node onto an nn layer.
func (im *importer) node(n *node) error {
	if len(n.out) == 0 || n.out[0] == "" {
		return n.bad("no output")
	}
	if src, ok := im.fused[n]; ok {
		im.values[n.out[0]] = im.values[src] // the bias went into the layer
		return nil
	}
	cannot := func(why string) error {
		return n.unsupported("convnet cannot import it into a trainable model (%s); `convnet run` executes the graph", why)
	}
	// Constant folding: a node whose inputs are all constants is computed now.
	allConst := true
	for _, name := range n.in {
		if _, ok := im.consts[name]; name != "" && !ok {
			allConst = false
		}
	}
	if allConst {
		in := make([]*Tensor, len(n.in))
		for i, name := range n.in {
			in[i] = im.consts[name]
		}
		res, err := runNode(n, in)
		if err != nil {
			return err
		}
		for i, o := range n.out {
			if i < len(res) {
				im.consts[o] = res[i]
			}
		}
		return nil
	}
	data := func(i int) (*nn.Node, error) {
		if i >= len(n.in) {
			return nil, n.bad("input %d is missing", i+1)
		}
		v, ok := im.values[n.in[i]]
		if !ok {
			return nil, cannot(fmt.Sprintf("input %q must be computed from the graph input", n.in[i]))
		}
		return v, nil
	}
	constant := func(i int) (*Tensor, error) {
		if i >= len(n.in) || n.in[i] == "" {
			return nil, nil
		}
		t, ok := im.consts[n.in[i]]
		if !ok {
			return nil, cannot(fmt.Sprintf("input %d must be an initializer", i+1))
		}
		if !t.IsFloat() {
			return nil, cannot(fmt.Sprintf("input %d is %s", i+1, typeName(t.Type)))
		}
		return t, nil
	}
	if (n.op == "Add" || n.op == "Sub" || n.op == "Mul" || n.op == "Div") && len(n.in) == 2 {
		// The data operand may come second (c - x, c / x).
		if _, ok := im.values[n.in[0]]; !ok {
			if _, ok := im.values[n.in[1]]; ok {
				return im.binaryConstFirst(n, cannot)
			}
		}
	}
	x, err := data(0)
	if err != nil {
		return err
	}
	add := func(l nn.Layer, inputs ...*nn.Node) error {
		if len(inputs) == 0 {
			inputs = []*nn.Node{x}
		}
		node, err := im.g.Add(l, inputs...)
		if err != nil {
			return n.bad("%v", err)
		}
		im.values[n.out[0]] = node
		return nil
	}
	bind := func(p *nn.Param, t *Tensor, what string) error {
		if t.Len() != p.Value.Len() {
			return n.bad("%s has shape %v, want %v", what, t.Shape, p.Value.Shape)
		}
		copy(p.Value.Data, t.Float)
		return nil
	}
	full := append([]int{1}, x.Shape...) // a batch of one, for shape rules
	switch n.op {
	case "Shape":
		// The shape of a computed value is known but for the batch, which
		// becomes 0: Reshape reads 0 as "copy this dimension", so PyTorch's
		// x.view(x.size(0), -1) (Shape, Gather, Unsqueeze, Concat, Reshape)
		// folds to a Reshape to (0, -1), a flatten.
		res, err := opShape(n, []*Tensor{{Shape: append([]int{0}, x.Shape...), Type: onnxpb.TensorProto_FLOAT}})
		if err != nil {
			return err
		}
		im.consts[n.out[0]] = res[0]
		return nil
	case "Identity":
		im.values[n.out[0]] = x
		return nil
	case "Conv":
		w, err := constant(1)
		if err != nil || w == nil {
			return firstErr(err, cannot("no weights"))
		}
		b, err := constant(2)
		if err != nil {
			return err
		}
		if len(full) != 4 || len(w.Shape) != 4 {
			return cannot("only 2-D convolutions")
		}
		g, err := n.windowGeometry(full, w.Shape[2:])
		if err != nil {
			return err
		}
		l := nn.NewConv2D(w.Shape[0], 1)
		l.KH, l.KW, l.SH, l.SW, l.DH, l.DW = g.kh, g.kw, g.sh, g.sw, g.dh, g.dw
		l.PadT, l.PadL, l.PadB, l.PadR = g.pad[0], g.pad[1], g.pad[2], g.pad[3]
		l.Groups = int(n.attrInt("group", 1))
		l.NoBias = b == nil
		if l.Groups < 1 || x.Shape[0] != w.Shape[1]*l.Groups {
			return n.bad("input has %d channels, weights %v with group %d", x.Shape[0], w.Shape, l.Groups)
		}
		if err := add(l); err != nil {
			return err
		}
		if err := bind(l.W, w, "weights"); err != nil {
			return err
		}
		if b != nil {
			return bind(l.B, b, "bias")
		}
		return nil
	case "ConvTranspose":
		w, err := constant(1)
		if err != nil || w == nil {
			return firstErr(err, cannot("no weights"))
		}
		b, err := constant(2)
		if err != nil {
			return err
		}
		if len(full) != 4 || len(w.Shape) != 4 || n.has("output_shape") || n.attrString("auto_pad", "NOTSET") != "NOTSET" {
			return cannot("only 2-D, with explicit pads")
		}
		g, err := n.windowGeometry(full, w.Shape[2:])
		if err != nil {
			return err
		}
		group := int(n.attrInt("group", 1))
		if group < 1 || x.Shape[0] != w.Shape[0] || w.Shape[0]%group != 0 {
			return n.bad("input has %d channels, weights %v with group %d", x.Shape[0], w.Shape, group)
		}
		op, _ := n.toInts(n.attrInts("output_padding"), "output_padding")
		if op == nil {
			op = []int{0, 0}
		}
		if len(op) != 2 {
			return n.bad("output_padding %v", op)
		}
		l := &nn.ConvTranspose2D{Filters: w.Shape[1] * group, KH: g.kh, KW: g.kw, SH: g.sh, SW: g.sw, DH: g.dh, DW: g.dw,
			PadT: g.pad[0], PadL: g.pad[1], PadB: g.pad[2], PadR: g.pad[3], OutPadH: op[0], OutPadW: op[1], Groups: group, NoBias: b == nil}
		if err := add(l); err != nil {
			return err
		}
		if err := bind(l.W, w, "weights"); err != nil {
			return err
		}
		if b != nil {
			return bind(l.B, b, "bias")
		}
		return nil
	case "Gemm", "MatMul":
		if n.op == "MatMul" && len(n.in) == 2 {
			if y, ok := im.values[n.in[1]]; ok {
				return im.matmulData(n, x, y, cannot)
			}
		}
		w, err := constant(1)
		if err != nil || w == nil {
			return firstErr(err, cannot("no weights"))
		}
		if len(x.Shape) == 0 || len(x.Shape) > 1 && n.op == "Gemm" || len(w.Shape) != 2 || n.attrInt("transA", 0) != 0 {
			return cannot("only (N, ..., K) times a constant matrix")
		}
		alpha, beta := n.attrFloat("alpha", 1), n.attrFloat("beta", 1)
		// nn.Dense holds W as (Out, In): Gemm's transB=1 layout.
		wt := w
		if n.attrInt("transB", 0) == 0 {
			wt = transpose(w, []int{1, 0})
		}
		out, in := wt.Shape[0], wt.Shape[1]
		if k := x.Shape[len(x.Shape)-1]; in != k {
			return n.bad("weights %v do not take %d inputs", w.Shape, k)
		}
		var c *Tensor
		if n.op == "Gemm" {
			if c, err = constant(2); err != nil {
				return err
			}
		} else {
			c = im.fusedBias(n, len(x.Shape), out)
		}
		// A MatMul of (N, ..., K) applies the matrix along the last axis.
		l := nn.NewDense(out)
		var layer nn.Layer = l
		if len(x.Shape) > 1 {
			dl := nn.NewDenseLast(out)
			l, layer = dl.Dense, dl
		}
		l.NoBias = c == nil || beta == 0
		if err := add(layer); err != nil {
			return err
		}
		for i, v := range wt.Float {
			l.W.Value.Data[i] = alpha * v
		}
		if !l.NoBias {
			bc, err := n.broadcast(NewFloat(out), c, func(_, v float32) float32 { return beta * v })
			if err != nil || bc.Len() != out {
				return n.bad("C %v does not broadcast to (%d)", c.Shape, out)
			}
			copy(l.B.Value.Data, bc.Float)
		}
		return nil
	case "Relu", "Sigmoid", "Tanh":
		return add(nn.MustActivation(map[string]string{"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh"}[n.op]))
	case "LeakyRelu", "Elu":
		l := nn.MustActivation(map[string]string{"LeakyRelu": "leakyrelu", "Elu": "elu"}[n.op])
		l.Alpha = n.attrFloat("alpha", l.Alpha)
		return add(l)
	case "Selu":
		if n.attrFloat("alpha", seluAlpha) != seluAlpha || n.attrFloat("gamma", seluGamma) != seluGamma {
			return cannot("Selu with other than the standard constants")
		}
		return add(nn.MustActivation("selu"))
	case "HardSigmoid":
		return add(&nn.HardSigmoid{Alpha: n.attrFloat("alpha", 0.2), Beta: n.attrFloat("beta", 0.5)})
	case "Softmax", "LogSoftmax":
		ls, err := softmaxLayers(n, x.Shape, cannot)
		if err != nil {
			return err
		}
		return im.addNodes(n, ls, x)
	case "Clip":
		l := nn.NewClip(float32(negInf), float32(posInf))
		if n.opset < 11 {
			l.Min, l.Max = n.attrFloat("min", l.Min), n.attrFloat("max", l.Max)
		} else {
			for i, dst := range []*float32{&l.Min, &l.Max} {
				t, err := constant(i + 1)
				if err != nil {
					return err
				}
				if t != nil {
					if t.Len() != 1 {
						return n.bad("bounds must be scalars")
					}
					*dst = t.Float[0]
				}
			}
		}
		return add(l)
	case "PRelu":
		s, err := constant(1)
		if err != nil || s == nil {
			return firstErr(err, cannot("no slope"))
		}
		l := nn.NewPReLU()
		switch {
		case s.Len() == 1:
			l.Shared = true
		case perChannel(s.Shape, full) || n.opset < 7 && len(s.Shape) == 1 && len(full) > 1 && s.Shape[0] == full[1]:
		default:
			return cannot(fmt.Sprintf("slope %v is neither shared nor per channel", s.Shape))
		}
		if err := add(l); err != nil {
			return err
		}
		return bind(l.A, s, "slope")
	case "MaxPool", "AveragePool":
		if len(full) != 4 {
			return cannot("only 2-D pooling")
		}
		if len(n.out) > 1 && n.out[1] != "" {
			return cannot("the Indices output")
		}
		g, err := n.windowGeometry(full, nil)
		if err != nil {
			return err
		}
		pad := g.pad
		ceil := n.attrInt("ceil_mode", 0) != 0
		if n.op == "MaxPool" {
			l := nn.NewMaxPool2D(1)
			l.KH, l.KW, l.SH, l.SW, l.DH, l.DW = g.kh, g.kw, g.sh, g.sw, g.dh, g.dw
			l.PadT, l.PadL, l.PadB, l.PadR, l.CeilMode = pad[0], pad[1], pad[2], pad[3], ceil
			return add(l)
		}
		l := nn.NewAvgPool2D(1)
		l.KH, l.KW, l.SH, l.SW = g.kh, g.kw, g.sh, g.sw
		l.PadT, l.PadL, l.PadB, l.PadR, l.CeilMode = pad[0], pad[1], pad[2], pad[3], ceil
		l.CountIncludePad = n.attrInt("count_include_pad", 0) != 0
		return add(l)
	case "GlobalAveragePool":
		return add(nn.NewGlobalAvgPool())
	case "GlobalMaxPool":
		return add(nn.NewGlobalMaxPool())
	case "BatchNormalization":
		if n.attrInt("training_mode", 0) != 0 || len(n.out) > 1 {
			return cannot("training mode outputs")
		}
		// Check the statistics before the layer allocates its (C) tensors.
		var stats [4]*Tensor
		for i := range stats {
			t, err := constant(i + 1)
			if err != nil || t == nil {
				return firstErr(err, cannot("batch-norm statistics must be initializers"))
			}
			if len(x.Shape) == 0 || t.Len() != x.Shape[0] {
				return n.bad("batch-norm input %d has shape %v, the data %d channels", i+2, t.Shape, x.Shape[0])
			}
			stats[i] = t
		}
		l := nn.NewBatchNorm2D()
		l.Eps = float64(n.attrFloat("epsilon", 1e-5))
		l.Momentum = 1 - float64(n.attrFloat("momentum", 0.9))
		if err := add(l); err != nil {
			return err
		}
		for i, q := range []*nn.Param{l.Gamma, l.Beta, l.RunningMean, l.RunningVar} {
			copy(q.Value.Data, stats[i].Float)
		}
		return nil
	case "Dropout":
		ratio := 0.5
		if n.opset < 12 {
			ratio = float64(n.attrFloat("ratio", 0.5))
		} else if t, err := constant(1); err != nil {
			return err
		} else if t != nil {
			if t.Len() != 1 {
				return n.bad("ratio must be a scalar")
			}
			ratio = float64(t.Float[0])
		}
		return add(nn.NewDropout(ratio))
	case "Add", "Sub", "Mul", "Div":
		return im.binary(n, cannot)
	case "Concat":
		var nodes []*nn.Node
		for i := range n.in {
			v, err := data(i)
			if err != nil {
				return err
			}
			nodes = append(nodes, v)
		}
		return im.concat(n, nodes, cannot)
	case "Flatten":
		if a := n.attrInt("axis", 1); a != 1 && a != int64(1-len(full)) {
			return cannot("only from axis 1")
		}
		return add(nn.Flatten{})
	case "Pad":
		l, err := im.padLayer(n, x.Shape, cannot)
		if err != nil {
			return err
		}
		if l == nil {
			// PyTorch writes zero pads before some pools: an identity.
			im.values[n.out[0]] = x
			return nil
		}
		return add(l)
	case "Reshape":
		var shape []int
		if n.opset < 5 {
			if shape, err = n.toInts(n.attrInts("shape"), "shape"); err != nil {
				return err
			}
		} else {
			if len(n.in) < 2 {
				return n.bad("no shape input")
			}
			s, ok := im.consts[n.in[1]]
			if !ok {
				return cannot("the shape must be constant")
			}
			if shape, err = n.ints(s, "shape"); err != nil {
				return err
			}
		}
		to, err := reshapeTarget(n, x.Shape, shape, im.batch, cannot)
		if err != nil {
			return err
		}
		return im.reshapeTo(n, x, to)
	case "Squeeze", "Unsqueeze":
		to, err := im.squeezeShape(n, x.Shape, cannot)
		if err != nil {
			return err
		}
		return im.reshapeTo(n, x, to)
	case "Transpose":
		l, err := transposeLayer(n, x.Shape, cannot)
		if err != nil {
			return err
		}
		return add(l)
	}
	return cannot("no nn layer for it")
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// LoadNN reads the ONNX file at path and imports it as an nn.Model.
func LoadNN(path string) (*nn.Model, error) {
	return LoadNNWith(path, ImportOptions{})
}

// LoadNNWith is LoadNN with import options.
func LoadNNWith(path string, opts ImportOptions) (*nn.Model, error) {
	mp, err := LoadModel(path)
	if err != nil {
		return nil, err
	}
	m, err := ImportWith(mp, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// binary maps Add, Sub, Mul and Div whose first operand is data: with
// another data operand, see binaryData; with a constant, an
// nn.ConstBinary.
func (im *importer) binary(n *node, cannot func(string) error) error {
	if len(n.in) != 2 {
		return n.bad("want two inputs")
	}
	x := im.values[n.in[0]]
	if y, ok := im.values[n.in[1]]; ok {
		return im.binaryData(n, x, y, cannot)
	}
	c, ok := im.consts[n.in[1]]
	if !ok || !c.IsFloat() {
		return cannot("the other operand must be a float initializer")
	}
	return im.constBinary(n, x, c, map[string]string{"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"}[n.op], cannot)
}

// binaryConstFirst maps c + x, c - x, c · x and c / x.
func (im *importer) binaryConstFirst(n *node, cannot func(string) error) error {
	c, ok := im.consts[n.in[0]]
	if !ok || !c.IsFloat() {
		return cannot("the other operand must be a float initializer")
	}
	x := im.values[n.in[1]]
	return im.constBinary(n, x, c, map[string]string{"Add": "add", "Sub": "rsub", "Mul": "mul", "Div": "rdiv"}[n.op], cannot)
}

// constBinary adds an nn.ConstBinary; c broadcasts against the batched
// shape (N, ...), so a leading 1 is dropped to get the per-example form.
func (im *importer) constBinary(n *node, x *nn.Node, c *Tensor, op string, cannot func(string) error) error {
	shape := c.Shape
	if len(shape) == len(x.Shape)+1 {
		if shape[0] != 1 {
			return cannot(fmt.Sprintf("a constant %v that varies along the batch", c.Shape))
		}
		shape = shape[1:]
	}
	if len(shape) > len(x.Shape) {
		return cannot(fmt.Sprintf("a constant %v of higher rank than the data", c.Shape))
	}
	l := &nn.ConstBinary{Op: op, C: tensor.FromData(append([]float32(nil), c.Float...), shape...)}
	node, err := im.g.Add(l, x)
	if err != nil {
		return cannot(err.Error())
	}
	im.values[n.out[0]] = node
	return nil
}

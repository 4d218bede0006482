package nn

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// Node is one layer in a graph together with the tensors it produced.
type Node struct {
	Name   string  // unique in the graph: "conv1", "relu2", "input"
	Layer  Layer   // nil for the input node
	Inputs []*Node // the nodes whose outputs feed this one, in order
	Shape  []int   // per-example output shape (batch excluded)

	Out  *tensor.Tensor // output of the last Forward, (N, Shape...)
	Grad *tensor.Tensor // ∂L/∂Out after Backward

	index     int
	consumers int
	inBuf     []*tensor.Tensor // Inputs' outputs, reused across steps
	dInBuf    []*tensor.Tensor // where Backward writes input gradients
	scratch   []*tensor.Tensor // per input: used when that input has other consumers too
}

// Graph is a directed acyclic graph of layers with one input and one output.
// Nodes are kept in the order they were added, which is a topological order
// because a node can only take inputs that already exist.
type Graph struct {
	Nodes  []*Node
	output *Node
	counts map[string]int

	written []bool // Backward's per-node flags, kept to avoid allocating
	shards  shardPlan

	// InputGrad asks Backward to compute ∂L/∂input as well (saliency maps);
	// it is off by default because the first layer's input gradient costs a
	// full extra pass.
	InputGrad bool
}

// NewGraph starts a graph whose input examples have the given shape, e.g.
// (1, 28, 28) for MNIST.
func NewGraph(inputShape ...int) *Graph {
	in := &Node{Name: "input", Shape: append([]int(nil), inputShape...), Out: &tensor.Tensor{}, Grad: &tensor.Tensor{}}
	g := &Graph{Nodes: []*Node{in}, counts: map[string]int{}}
	g.output = in
	return g
}

// Input is the graph's input node.
func (g *Graph) Input() *Node { return g.Nodes[0] }

// Output is the graph's output node: the last one added unless SetOutput
// chose another.
func (g *Graph) Output() *Node { return g.output }

// SetOutput makes n the graph's output.
func (g *Graph) SetOutput(n *Node) { g.output = n }

// InputShape is the per-example input shape.
func (g *Graph) InputShape() []int { return g.Nodes[0].Shape }

// Add appends layer l fed by inputs (the last node added when none is
// given) and returns its node. It fails, leaving the graph unchanged, when
// the layer does not accept the input shapes.
func (g *Graph) Add(l Layer, inputs ...*Node) (*Node, error) {
	if len(inputs) == 0 {
		inputs = []*Node{g.Nodes[len(g.Nodes)-1]}
	}
	shapes := make([][]int, len(inputs))
	for i, in := range inputs {
		if in.index >= len(g.Nodes) || g.Nodes[in.index] != in {
			panic("nn: Graph.Add: input node belongs to another graph")
		}
		shapes[i] = in.Shape
	}
	name := g.nextName(l.Type())
	shape, err := l.Build(shapes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	g.counts[l.Type()]++
	n := &Node{
		Name: name, Layer: l, Inputs: inputs, Shape: shape, index: len(g.Nodes),
		Out: &tensor.Tensor{}, Grad: &tensor.Tensor{},
		inBuf: make([]*tensor.Tensor, len(inputs)), dInBuf: make([]*tensor.Tensor, len(inputs)),
		scratch: make([]*tensor.Tensor, len(inputs)),
	}
	for i, in := range inputs {
		in.consumers++
		n.inBuf[i] = in.Out
	}
	for _, p := range l.Params() {
		p.Name = name + "." + p.Name
	}
	if s, ok := l.(Stateful); ok {
		for _, p := range s.State() {
			p.Name = name + "." + p.Name
		}
	}
	g.Nodes = append(g.Nodes, n)
	g.output = n
	return n, nil
}

// MustAdd is Add for graphs built in code, where a shape that does not fit
// is a programming error: it panics with Add's message.
func (g *Graph) MustAdd(l Layer, inputs ...*Node) *Node {
	n, err := g.Add(l, inputs...)
	if err != nil {
		panic("nn: " + err.Error())
	}
	return n
}

func (g *Graph) nextName(typ string) string {
	return fmt.Sprintf("%s%d", typ, g.counts[typ]+1)
}

// Node returns the node with the given name, or nil.
func (g *Graph) Node(name string) *Node {
	for _, n := range g.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Params lists every learnable parameter in node order.
func (g *Graph) Params() []*Param {
	var ps []*Param
	for _, n := range g.Nodes[1:] {
		ps = append(ps, n.Layer.Params()...)
	}
	return ps
}

// State lists every saved non-learned tensor (batch-norm running
// statistics) in node order.
func (g *Graph) State() []*Param {
	var ps []*Param
	for _, n := range g.Nodes[1:] {
		if s, ok := n.Layer.(Stateful); ok {
			ps = append(ps, s.State()...)
		}
	}
	return ps
}

// Init sets every parameter from one seeded source: the same seed gives the
// same weights bit for bit. Each layer's scheme defaults to suit the
// activation that follows it (He for ReLU-like, Xavier for sigmoid/tanh,
// LeCun for SELU). Layers that draw random numbers while running (dropout)
// get their own stream derived from the same seed.
func (g *Graph) Init(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x636f6e766e6574)) // "convnet"
	for _, n := range g.Nodes[1:] {
		if in, ok := n.Layer.(Initializer); ok {
			in.InitParams(rng, g.followingActivation(n))
		}
		if s, ok := n.Layer.(Seeded); ok {
			s.Seed(rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
		}
	}
}

// followingActivation finds the activation a node's output meets first,
// looking through shape-only and normalising layers (pooling, flatten, batch
// norm, dropout). It returns "" when the node feeds no activation.
func (g *Graph) followingActivation(n *Node) string {
	for {
		var next *Node
		for _, m := range g.Nodes[n.index+1:] {
			for _, in := range m.Inputs {
				if in == n {
					next = m
					break
				}
			}
			if next != nil {
				break
			}
		}
		if next == nil {
			return ""
		}
		t := next.Layer.Type()
		if IsActivation(t) {
			return t
		}
		switch t {
		case "maxpool", "avgpool", "globalavgpool", "globalmaxpool", "flatten", "batchnorm", "dropout":
			n = next
		default:
			return ""
		}
	}
}

// Forward runs the graph on x, (N, InputShape...), and returns the output
// node's tensor, (N, Output().Shape...). The returned tensor and every
// node's Out are owned by the graph and overwritten by the next Forward.
//
// With more than one thread (kernel.Threads) and a batch of at least two
// examples per thread, Forward and the Backward after it run data-parallel:
// the batch is cut into one shard per thread and each thread runs the whole
// graph on its shard (see graph_shards.go). Graphs with a layer that is not
// a Cloner, and in training graphs with batch norm or dropout, run whole,
// each layer spreading its own work over the threads.
func (g *Graph) Forward(x *tensor.Tensor, train bool) *tensor.Tensor {
	batch := g.placeInput(x)
	g.shards.active = 0
	if k := g.shardCount(batch, train); k > 1 {
		g.forwardShards(x, train, k)
	} else {
		g.forwardNodes(train)
	}
	return g.output.Out
}

// placeInput checks x against the input shape, makes it the input node's
// Out and sizes every other node's Out for its batch, which it returns.
func (g *Graph) placeInput(x *tensor.Tensor) int {
	in := g.Nodes[0]
	if len(x.Shape) != len(in.Shape)+1 || !tensor.EqualShape(x.Shape[1:], in.Shape) {
		panic(fmt.Sprintf("nn: Graph.Forward: input %s does not match (N, %s)", tensor.ShapeString(x.Shape), strings.Trim(tensor.ShapeString(in.Shape), "()")))
	}
	// The input node's Out aliases x, so that every consumer's inBuf sees it.
	in.Out.Shape, in.Out.Data = x.Shape, x.Data
	batch := x.Shape[0]
	for _, n := range g.Nodes[1:] {
		if len(n.Out.Shape) == 0 || n.Out.Shape[0] != batch {
			n.Out.Resize(batchShape(batch, n.Shape)...)
		}
	}
	return batch
}

// forwardNodes runs every layer in order on the tensors already in place.
func (g *Graph) forwardNodes(train bool) {
	for _, n := range g.Nodes[1:] {
		n.Layer.Forward(n.inBuf, n.Out, train)
	}
}

// Backward propagates dOut = ∂L/∂output back through the graph after a
// Forward with train set: it fills every parameter's Grad and every node's
// Grad (the input node's only when InputGrad is set). Parameter gradients
// are overwritten, not accumulated.
func (g *Graph) Backward(dOut *tensor.Tensor) {
	out := g.output
	if !tensor.EqualShape(dOut.Shape, out.Out.Shape) {
		panic("nn: Graph.Backward: gradient shape differs from the output's")
	}
	out.Grad.Resize(dOut.Shape...)
	copy(out.Grad.Data, dOut.Data)
	if g.shards.active > 1 {
		g.sizeGrads()
		g.backwardShards()
		return
	}
	g.backwardFrom()
}

// sizeGrads sizes every node's Grad but the output's like its Out (the
// input's only with InputGrad), for shards to write views of.
func (g *Graph) sizeGrads() {
	for _, n := range g.Nodes {
		if n != g.output && (n.index > 0 || g.InputGrad) {
			n.Grad.Resize(n.Out.Shape...)
		}
	}
}

// backwardFrom runs Backward with the output node's Grad in place.
func (g *Graph) backwardFrom() {
	out := g.output
	if len(g.written) != len(g.Nodes) {
		g.written = make([]bool, len(g.Nodes))
	}
	written := g.written
	clear(written)
	written[out.index] = true
	for i := out.index; i >= 1; i-- {
		n := g.Nodes[i]
		if !written[i] {
			continue // does not reach the output
		}
		for j, in := range n.Inputs {
			n.dInBuf[j] = nil
			if in.index == 0 && !g.InputGrad {
				continue
			}
			if !written[in.index] && !repeated(n.Inputs, j) {
				in.Grad.Resize(in.Out.Shape...)
				n.dInBuf[j] = in.Grad
			} else {
				// Another consumer, or this one through an earlier input
				// (x·x, concat(x, x)), writes this gradient too: collect
				// ours apart and add it in below.
				if n.scratch[j] == nil {
					n.scratch[j] = &tensor.Tensor{}
				}
				n.scratch[j].Resize(in.Out.Shape...)
				n.dInBuf[j] = n.scratch[j]
			}
		}
		n.Layer.Backward(n.inBuf, n.Out, n.Grad, n.dInBuf)
		for j, in := range n.Inputs {
			if n.dInBuf[j] == nil {
				continue
			}
			if written[in.index] {
				addInto(in.Grad.Data, n.dInBuf[j].Data)
			}
			written[in.index] = true
		}
	}
}

// repeated reports whether inputs[j] is also an earlier input of the same
// node.
func repeated(inputs []*Node, j int) bool {
	for _, in := range inputs[:j] {
		if in == inputs[j] {
			return true
		}
	}
	return false
}

// addInto sets dst += src elementwise over len(src).
func addInto(dst, src []float32) { kernel.AddTo(dst[:len(src)], src) }

func batchShape(n int, shape []int) []int {
	s := make([]int, 0, 8)
	s = append(s, n)
	return append(s, shape...)
}

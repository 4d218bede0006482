package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// shardTestGraph is a branching net with every kind of layer a replica has
// to copy: conv, PReLU, pooling, a residual add, a concat, dense.
func shardTestGraph() *Graph {
	g := NewGraph(2, 8, 8)
	c1 := NewConv2D(4, 3)
	c1.PadT, c1.PadL, c1.PadB, c1.PadR = 1, 1, 1, 1
	a := g.MustAdd(c1)
	a = g.MustAdd(&PReLU{}, a)
	c2 := NewConv2D(4, 3)
	c2.PadT, c2.PadL, c2.PadB, c2.PadR = 1, 1, 1, 1
	b := g.MustAdd(c2, a)
	b = g.MustAdd(MustActivation("tanh"), b)
	res := g.MustAdd(NewAdd(), a, b)
	cat := g.MustAdd(NewConcat(), res, a)
	p := g.MustAdd(&MaxPool2D{KH: 2, KW: 2, SH: 2, SW: 2, DH: 1, DW: 1}, cat)
	q := g.MustAdd(&AvgPool2D{KH: 2, KW: 2, SH: 2, SW: 2}, p)
	h := g.MustAdd(Flatten{}, q)
	h = g.MustAdd(NewDense(16), h)
	h = g.MustAdd(MustActivation("relu"), h)
	g.MustAdd(NewDense(5), h)
	g.InputGrad = true
	g.Init(7)
	return g
}

type stepResult struct {
	out, dIn []float32
	grads    [][]float32
	loss     float32
}

// step runs one forward and backward pass of g on x with threads threads.
func step(t *testing.T, g *Graph, x *tensor.Tensor, labels []int, threads, wantShards int) stepResult {
	t.Helper()
	kernel.SetThreads(threads)
	var ce SoftmaxCrossEntropy
	r := stepResult{loss: ce.Loss(g.Forward(x, true), labels)}
	g.Backward(&ce.Grad)
	if g.shards.active != wantShards && !(wantShards == 1 && g.shards.active == 0) {
		t.Fatalf("threads=%d: the step ran in %d shards, want %d", threads, g.shards.active, wantShards)
	}
	r.out = append(r.out, g.Output().Out.Data...)
	r.dIn = append(r.dIn, g.Input().Grad.Data...)
	for _, p := range g.Params() {
		r.grads = append(r.grads, append([]float32(nil), p.Grad.Data...))
	}
	return r
}

func closeTo(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s[%d] = %g, whole-batch %g", what, i, got[i], want[i])
		}
	}
}

// TestShardsMatchWhole checks that a data-parallel step, in 2, 3 and 4
// shards of uneven size, gives the outputs, input gradient and parameter
// gradients of the same step run whole on one thread.
func TestShardsMatchWhole(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	g := shardTestGraph()
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.New(11, 2, 8, 8)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	labels := []int{0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0}
	whole := step(t, g, x, labels, 1, 1)
	for _, k := range []int{2, 3, 4} {
		t.Run(fmt.Sprintf("shards=%d", k), func(t *testing.T) {
			got := step(t, g, x, labels, k, k)
			if math.Abs(float64(got.loss-whole.loss)) > 1e-6 {
				t.Errorf("loss %g, whole-batch %g", got.loss, whole.loss)
			}
			closeTo(t, "output", got.out, whole.out, 1e-5)
			closeTo(t, "input gradient", got.dIn, whole.dIn, 1e-5)
			for i, p := range g.Params() {
				closeTo(t, p.Name+" gradient", got.grads[i], whole.grads[i], 1e-4)
			}
		})
	}
	// Too small a batch for two examples a shard runs whole.
	step(t, g, tensor.New(3, 2, 8, 8), labels[:3], 2, 1)
}

// TestShardsNeedWeightReuse checks that a dense-heavy graph, whose shards
// would each read every weight for a few multiply-adds, runs whole until
// the batch is large enough.
func TestShardsNeedWeightReuse(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	kernel.SetThreads(2)
	g := NewGraph(64)
	g.MustAdd(NewDense(64))
	g.MustAdd(MustActivation("relu"))
	g.MustAdd(NewDense(10))
	g.Init(1)
	// 4,800 multiply-adds per example (counting relu's) against 4,810
	// parameters: with minReuse = 32 a shard needs 33 examples.
	for _, c := range []struct{ batch, shards int }{{8, 0}, {64, 0}, {66, 2}} {
		g.Forward(tensor.New(c.batch, 64), false)
		if g.shards.active != c.shards {
			t.Errorf("batch %d: %d shards, want %d", c.batch, g.shards.active, c.shards)
		}
	}
}

// TestShardsSeeParameterChanges checks that replicas follow the graph's
// parameters, whether updated in place or replaced.
func TestShardsSeeParameterChanges(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	g := shardTestGraph()
	x := tensor.New(8, 2, 8, 8)
	for i := range x.Data {
		x.Data[i] = float32(i%13) / 13
	}
	labels := make([]int, 8)
	step(t, g, x, labels, 2, 2)
	last := g.Params()[len(g.Params())-1] // the output layer's bias
	last.Value.Data[0] += 1
	in := step(t, g, x, labels, 1, 1)
	sh := step(t, g, x, labels, 2, 2)
	closeTo(t, "output after an in-place update", sh.out, in.out, 1e-5)
	last.Value = last.Value.Clone()
	last.Value.Data[1] += 1
	in = step(t, g, x, labels, 1, 1)
	sh = step(t, g, x, labels, 2, 2)
	closeTo(t, "output after replacing a value", sh.out, in.out, 1e-5)
}

// TestShardsBatchCoupledTrainsWhole checks that batch norm and dropout keep
// a graph whole in training, and that it still runs in shards for inference.
func TestShardsBatchCoupledTrainsWhole(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	kernel.SetThreads(2)
	for _, coupled := range []Layer{NewBatchNorm2D(), NewDropout(0.5)} {
		g := NewGraph(1, 16, 16)
		g.MustAdd(NewConv2D(8, 3))
		g.MustAdd(coupled)
		g.MustAdd(NewGlobalAvgPool())
		g.MustAdd(Flatten{})
		g.MustAdd(NewDense(3))
		g.Init(1)
		x := tensor.New(8, 1, 16, 16)
		g.Forward(x, true)
		if g.shards.active != 0 {
			t.Errorf("%s: training ran in %d shards, want whole", coupled.Type(), g.shards.active)
		}
		g.Forward(x, false)
		if g.shards.active != 2 {
			t.Errorf("%s: inference ran in %d shards, want 2", coupled.Type(), g.shards.active)
		}
	}
}

// TestEveryLayerClones checks that each layer's clone builds to the same
// shape and shares its parameters' values.
func TestEveryLayerClones(t *testing.T) {
	g := shardTestGraph()
	r := g.replicate()
	for i, n := range g.Nodes[1:] {
		m := r.Nodes[i+1]
		if !tensor.EqualShape(n.Shape, m.Shape) || n.Layer.Type() != m.Layer.Type() {
			t.Errorf("%s: replica is %s %v, want %s %v", n.Name, m.Layer.Type(), m.Shape, n.Layer.Type(), n.Shape)
		}
		ps, qs := n.Layer.Params(), m.Layer.Params()
		for j := range ps {
			if ps[j].Value != qs[j].Value || ps[j].Grad == qs[j].Grad || ps[j].Name != qs[j].Name {
				t.Errorf("%s: replica parameter %s does not share the value or shares the gradient", n.Name, qs[j].Name)
			}
		}
	}
}

// TestEveryLayerClonesRest runs the clone check and the whole-against-shards
// check for inference over the layers shardTestGraph leaves out.
func TestEveryLayerClonesRest(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	g := NewGraph(3, 6, 6)
	ct := &ConvTranspose2D{Filters: 4, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Groups: 1}
	g.MustAdd(ct)
	g.MustAdd(NewBatchNorm2D())
	g.MustAdd(NewDropout(0.3))
	g.MustAdd(NewClip(-0.5, 0.5))
	g.MustAdd(&ConstBinary{Op: "mul", C: tensor.FromData([]float32{1, 2, 3, 4}, 4, 1, 1)})
	g.MustAdd(NewHardSigmoid())
	g.MustAdd(NewGlobalMaxPool())
	g.MustAdd(Flatten{})
	g.MustAdd(NewLogSoftmax())
	g.Init(2)
	for _, p := range g.State() {
		for i := range p.Value.Data {
			p.Value.Data[i] = 0.5 + float32(i)/10 // running statistics other than 0 and 1
		}
	}
	r := g.replicate()
	for i, n := range g.Nodes[1:] {
		m := r.Nodes[i+1]
		if !tensor.EqualShape(n.Shape, m.Shape) || n.Layer.Type() != m.Layer.Type() {
			t.Errorf("%s: replica is %s %v, want %s %v", n.Name, m.Layer.Type(), m.Shape, n.Layer.Type(), n.Shape)
		}
	}
	x := tensor.New(12, 3, 6, 6)
	for i := range x.Data {
		x.Data[i] = float32(i%17)/8 - 1
	}
	kernel.SetThreads(1)
	whole := append([]float32(nil), g.Forward(x, false).Data...)
	kernel.SetThreads(2)
	got := g.Forward(x, false).Data
	if g.shards.active != 2 {
		t.Fatalf("inference ran in %d shards, want 2", g.shards.active)
	}
	closeTo(t, "output", got, whole, 1e-5)
}

// TestShardReplicasRunWhole checks that the replicas' dense and conv
// layers run their loops in one piece (wholeInShard) and the graph's own,
// which run whole batches over the threads, do not.
func TestShardReplicasRunWhole(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	g := shardTestGraph()
	step(t, g, tensor.New(8, 2, 8, 8), []int{0, 1, 2, 3, 4, 0, 1, 2}, 2, 2)
	count := func(gr *Graph) (n int, whole int) {
		for _, node := range gr.Nodes[1:] {
			switch l := node.Layer.(type) {
			case *Dense:
				n++
				if l.whole {
					whole++
				}
			case *Conv2D:
				n++
				if l.whole {
					whole++
				}
			}
		}
		return n, whole
	}
	if n, whole := count(g); n != 4 || whole != 0 {
		t.Fatalf("graph: %d of %d dense and conv layers run whole, want none of 4", whole, n)
	}
	for i, r := range g.shards.replicas {
		if n, whole := count(r); whole != n {
			t.Errorf("replica %d: %d of %d dense and conv layers run whole", i, whole, n)
		}
	}
}

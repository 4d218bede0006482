package nn

import (
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// Data-parallel execution. A small net such as LeNet-5 does too little work
// per layer to split each layer over the threads: a hand-off per layer costs
// more than half a layer's work. Instead a batch is cut into one shard per
// thread, and each thread runs the whole graph, forward and backward, on its
// shard with a replica of the graph: the replicas' layers share the
// parameter values but keep their own scratch and parameter gradients, and
// their node tensors are views into the rows of the graph's own Out and
// Grad. After the backward pass the replicas' parameter gradients are summed
// in shard order, so a step's result depends on the thread count but not on
// scheduling. Graphs whose layers couple the examples of a batch in
// training (batch norm, dropout) train whole; they still run in shards for
// inference, where they do not.

// minShard is the fewest examples per shard: below it a shard's hand-off
// costs more than it saves.
const minShard = 2

// minReuse is the fewest multiply-adds a shard must do per parameter. Each
// shard reads every weight (and in training writes a gradient of every
// weight, which are then summed), where a whole pass splits each layer's
// weights between the threads; a shard must use each weight often enough to
// pay for that. Measured on this project's 2-core machine, inference at
// batches 4-32: LeNet-5 (5.3 multiply-adds per parameter per example) gains
// 31% in shards at 16 examples a shard and loses 5% at 4; a dense-heavy
// 784-2048-2048-10 net (1 per example) loses 40% at 16; a VGG-style net
// (3.5) gains 6% at 16.
const minReuse = 32

// wholeInShard is a layer that, in a shard replica, runs its loops in one
// piece instead of kernel.Parallel's pieces for the thread count one after
// another (kernel.ParallelShards). A dense layer's pieces each packed the
// shared operand of its product again; a conv layer's each kept a partial
// weight gradient and scratch of their own, summed after. Timed layer by
// layer, LeNet-5's dense layers took 25-50% longer in 2 shards of 32 than
// in a model of their own at batch 32, its conv layers 5-8%.
type wholeInShard interface{ setWhole() }

// shardPlan holds a graph's replicas and the task that runs them.
type shardPlan struct {
	traits   shardTraits
	replicas []*Graph
	params   []*Param   // the graph's parameters and saved state, in node order
	shared   [][]*Param // per replica: its parameters and state, aligned with params
	learned  int        // params[:learned] are learned parameters, the rest state
	task     shardTask
	sum      gradSum
	active   int // shards used by the last Forward; 0 when it ran whole
}

// shardTask runs each shard's forward pass, or its backward pass, or with
// loss set (Graph.TrainStep) its forward pass, its rows of the loss and its
// backward pass.
type shardTask struct {
	g        *Graph
	train    bool
	backward bool
	loss     *SoftmaxCrossEntropy
	labels   []int
}

func (t *shardTask) Run(_, lo, hi int) {
	for s := lo; s < hi; s++ {
		r := t.g.shards.replicas[s]
		switch {
		case t.loss != nil:
			r.forwardNodes(true)
			t.g.shardLoss(s, t.loss, t.labels)
			r.backwardFrom()
		case t.backward:
			r.backwardFrom()
		default:
			r.forwardNodes(t.train)
		}
	}
}

// shardCount is how many shards a Forward of batch examples uses: one per
// thread when the graph can be replicated, 1 (whole) otherwise.
func (g *Graph) shardCount(batch int, train bool) int {
	k := kernel.Threads()
	if k < 2 || batch < k*minShard {
		return 1
	}
	a := &g.shards.traits
	if a.nodes != len(g.Nodes) {
		*a = g.shardTraits()
	}
	if !a.cloneable || train && a.coupled || int64(batch/k)*a.macsPerExample < minReuse*a.params {
		return 1
	}
	return k
}

// shardTraits is what shardCount needs to know of a graph, worked out once
// for its current nodes.
type shardTraits struct {
	nodes                  int  // len(Nodes) when worked out
	cloneable              bool // every layer is a Cloner
	coupled                bool // some layer couples a batch in training
	macsPerExample, params int64
}

func (g *Graph) shardTraits() shardTraits {
	a := shardTraits{nodes: len(g.Nodes), cloneable: true}
	for _, n := range g.Nodes[1:] {
		if _, ok := n.Layer.(Cloner); !ok {
			a.cloneable = false
		}
		if c, ok := n.Layer.(batchCoupled); ok && c.couplesBatch(true) {
			a.coupled = true
		}
		a.macsPerExample += macs(n)
		for _, p := range n.Layer.Params() {
			a.params += int64(len(p.Value.Data))
		}
	}
	return a
}

// prepareShards makes sure there are k replicas that match the graph, and
// that their parameters still share the graph's values (a caller may have
// replaced a Param's Value).
func (g *Graph) prepareShards(k int) {
	p := &g.shards
	if len(p.replicas) > 0 && len(p.replicas[0].Nodes) != len(g.Nodes) {
		*p = shardPlan{traits: p.traits} // the graph grew since: start again
	}
	if p.params == nil {
		p.params = g.Params()
		p.learned = len(p.params)
		p.params = append(p.params, g.State()...)
	}
	for len(p.replicas) < k {
		r := g.replicate()
		p.replicas = append(p.replicas, r)
		p.shared = append(p.shared, append(r.Params(), r.State()...))
	}
	for _, ps := range p.shared {
		for i, q := range ps {
			q.Value = p.params[i].Value
		}
	}
}

// replicate builds a copy of the graph from its layers' clones. Every layer
// is a Cloner and accepted these shapes once, so neither can fail.
func (g *Graph) replicate() *Graph {
	r := NewGraph(g.InputShape()...)
	for _, n := range g.Nodes[1:] {
		ins := make([]*Node, len(n.Inputs))
		for i, in := range n.Inputs {
			ins[i] = r.Nodes[in.index]
		}
		c := n.Layer.(Cloner).Clone()
		if w, ok := c.(wholeInShard); ok {
			w.setWhole()
		}
		r.MustAdd(c, ins...)
	}
	r.SetOutput(r.Nodes[g.output.index])
	return r
}

// forwardShards runs Forward over k shards; the graph's nodes already have
// their Out sized for the whole batch.
func (g *Graph) forwardShards(x *tensor.Tensor, train bool, k int) {
	g.viewOuts(x, k)
	g.shards.task = shardTask{g: g, train: train}
	kernel.ParallelShards(k, &g.shards.task)
}

// viewOuts points the Out of k replicas' nodes at their shards of the
// graph's, the input's at x's, and makes them the active shards.
func (g *Graph) viewOuts(x *tensor.Tensor, k int) {
	g.prepareShards(k)
	batch := x.Shape[0]
	for s, r := range g.shards.replicas[:k] {
		lo, hi := s*batch/k, (s+1)*batch/k
		view(r.Nodes[0].Out, x, lo, hi)
		for i, n := range g.Nodes[1:] {
			view(r.Nodes[i+1].Out, n.Out, lo, hi)
		}
	}
	g.shards.active = k
}

// backwardShards runs Backward over the shards of the last Forward; the
// output node's Grad already holds dOut, and every other node's Grad is
// sized like its Out (the input's only with InputGrad).
func (g *Graph) backwardShards() {
	g.viewGrads()
	g.shards.task = shardTask{g: g, backward: true}
	kernel.ParallelShards(g.shards.active, &g.shards.task)
	g.shards.sum.run(&g.shards, g.shards.active)
}

// viewGrads points the Grad of the active replicas' nodes at their shards
// of the graph's.
func (g *Graph) viewGrads() {
	k := g.shards.active
	batch := g.output.Out.Shape[0]
	for s, r := range g.shards.replicas[:k] {
		lo, hi := s*batch/k, (s+1)*batch/k
		r.InputGrad = g.InputGrad
		for i, n := range g.Nodes {
			if i == 0 && !g.InputGrad {
				continue
			}
			view(r.Nodes[i].Grad, n.Grad, lo, hi)
		}
	}
}

// shardLoss computes shard s's rows of the loss on the graph's output and
// copies their gradient into the output node's Grad, where the shard's
// backward pass reads it.
func (g *Graph) shardLoss(s int, loss *SoftmaxCrossEntropy, labels []int) {
	z := g.output.Out
	batch, k := z.Shape[0], g.shards.active
	lo, hi := s*batch/k, (s+1)*batch/k
	loss.rows(z, labels, lo, hi)
	per := z.Shape[1]
	copy(g.output.Grad.Data[lo*per:hi*per], loss.Grad.Data[lo*per:hi*per])
}

// gradSum sums the replicas' parameter gradients into the graph's, in shard
// order, over the learned parameters laid end to end and spread over the
// threads: the sum is serial between two data-parallel passes (on LeNet-5 at
// 2 threads, 3% of a training step on one core). optim's SGD steps the same
// run of elements in the same chunks (kernel.Spread), so each thread then
// steps the part of the gradients it summed, still in its cache.
type gradSum struct {
	p    *shardPlan
	k    int   // shards
	ends []int // ends[i]: elements in params[:i+1]
}

func (t *gradSum) run(p *shardPlan, k int) {
	t.p, t.k = p, k
	t.ends = t.ends[:0]
	total := 0
	for _, param := range p.params[:p.learned] {
		total += len(param.Grad.Data)
		t.ends = append(t.ends, total)
	}
	kernel.Spread(total, total, t)
	t.p = nil
}

// Run sums elements [lo, hi) of the parameters laid end to end.
func (t *gradSum) Run(_, lo, hi int) {
	kernel.Spans(t.ends, lo, hi, func(i, a, b int) {
		dst := t.p.params[i].Grad.Data[a:b]
		copy(dst, t.p.shared[0][i].Grad.Data[a:b])
		for s := 1; s < t.k; s++ {
			addInto(dst, t.p.shared[s][i].Grad.Data[a:b])
		}
	})
}

// view points dst at rows [lo, hi) of src along the batch axis, without
// allocating once dst has a shape of the right rank. The capacity stops at
// row hi, so a Resize of dst can never spill into the next shard's rows.
func view(dst, src *tensor.Tensor, lo, hi int) {
	per := 0
	if src.Shape[0] > 0 {
		per = len(src.Data) / src.Shape[0]
	}
	dst.Data = src.Data[lo*per : hi*per : hi*per]
	if len(dst.Shape) != len(src.Shape) {
		dst.Shape = make([]int, len(src.Shape))
	}
	copy(dst.Shape, src.Shape)
	dst.Shape[0] = hi - lo
}

package nn

import (
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// TrainStep runs one training pass of a classifier on x, (N,
// InputShape...), with its labels, and returns the mean loss. It does
// what
//
//	l := loss.Loss(g.Forward(x, true), labels)
//	g.Backward(&loss.Grad)
//
// does, with the same bits in every parameter's and node's Grad, in
// loss.Probs and loss.Grad, and in l; the graph's output must be logits,
// (N, K).
//
// When the graph runs in shards (see Forward), each thread goes on from its
// shard's forward pass to the shard's rows of the loss and then to its
// backward pass. The two calls put a hand-off between the passes, the loss
// running on one thread while the other waits.
func (g *Graph) TrainStep(x *tensor.Tensor, labels []int, loss *SoftmaxCrossEntropy) float32 {
	batch := g.placeInput(x)
	g.shards.active = 0
	k := g.shardCount(batch, true)
	if k <= 1 {
		g.forwardNodes(true)
		l := loss.Loss(g.output.Out, labels)
		g.Backward(&loss.Grad)
		return l
	}
	out := g.output
	loss.resize(out.Out, labels)
	out.Grad.Resize(out.Out.Shape...)
	g.sizeGrads()
	g.viewOuts(x, k)
	g.viewGrads()
	g.shards.task = shardTask{g: g, loss: loss, labels: labels}
	kernel.ParallelShards(k, &g.shards.task)
	g.shards.task = shardTask{}
	g.shards.sum.run(&g.shards, k)
	return loss.mean()
}

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// TestTrainStepMatchesThreeCalls checks that TrainStep gives the bits of
// Forward, SoftmaxCrossEntropy.Loss and Backward called one after another,
// whole and in 2 and 3 shards of uneven size, and on a graph that trains
// whole because of batch norm: the loss, its Probs and Grad, the output, the
// input gradient and every parameter gradient.
func TestTrainStepMatchesThreeCalls(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	rng := rand.New(rand.NewPCG(3, 4))
	x := tensor.New(11, 2, 8, 8)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	labels := []int{4, 1, 2, 3, 0, 0, 1, 2, 3, 4, 2}
	coupled := func() *Graph {
		g := NewGraph(2, 8, 8)
		g.MustAdd(NewConv2D(4, 3))
		g.MustAdd(NewBatchNorm2D())
		g.MustAdd(Flatten{})
		g.MustAdd(NewDense(5))
		g.InputGrad = true
		g.Init(5)
		return g
	}
	for _, c := range []struct {
		name    string
		build   func() *Graph
		threads int
		shards  int
	}{
		{"whole", shardTestGraph, 1, 0},
		{"2 shards", shardTestGraph, 2, 2},
		{"3 shards", shardTestGraph, 3, 3},
		{"batch norm", coupled, 2, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			kernel.SetThreads(c.threads)
			g3, g1 := c.build(), c.build()
			var l3, l1 SoftmaxCrossEntropy
			// Twice, so that the second step reuses the buffers of the first.
			for range 2 {
				want := l3.Loss(g3.Forward(x, true), labels)
				g3.Backward(&l3.Grad)
				got := g1.TrainStep(x, labels, &l1)
				if g1.shards.active != c.shards {
					t.Fatalf("TrainStep ran in %d shards, want %d", g1.shards.active, c.shards)
				}
				if math.Float32bits(got) != math.Float32bits(want) {
					t.Errorf("loss %v, three calls %v", got, want)
				}
				sameBits(t, "probabilities", l1.Probs.Data, l3.Probs.Data)
				sameBits(t, "loss gradient", l1.Grad.Data, l3.Grad.Data)
				sameBits(t, "output", g1.Output().Out.Data, g3.Output().Out.Data)
				sameBits(t, "input gradient", g1.Input().Grad.Data, g3.Input().Grad.Data)
				for i, p := range g1.Params() {
					sameBits(t, fmt.Sprintf("%s gradient %d", p.Name, i), p.Grad.Data, g3.Params()[i].Grad.Data)
				}
			}
		})
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%s: %d values, want %d (and some)", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %v, three calls %v", what, i, got[i], want[i])
		}
	}
}

// TestTrainStepAllocatesNothing checks that a warm TrainStep in shards
// allocates nothing.
func TestTrainStepAllocatesNothing(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	kernel.SetThreads(2)
	g := shardTestGraph()
	x := tensor.New(8, 2, 8, 8)
	labels := make([]int, 8)
	var loss SoftmaxCrossEntropy
	g.TrainStep(x, labels, &loss)
	if a := testing.AllocsPerRun(20, func() { g.TrainStep(x, labels, &loss) }); a != 0 {
		t.Errorf("a warm TrainStep allocates %v times", a)
	}
	if g.shards.active != 2 {
		t.Errorf("ran in %d shards, want 2", g.shards.active)
	}
}

// TestTrainStepChecksLabels checks that labels of the wrong length, or
// outside the classes, panic with the loss's message on the caller's
// goroutine, before any shard starts: a panic in a shard would end the
// process.
func TestTrainStepChecksLabels(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	kernel.SetThreads(2)
	g := shardTestGraph()
	x := tensor.New(8, 2, 8, 8)
	bad := make([]int, 8)
	bad[6] = 5 // the graph has 5 classes
	neg := make([]int, 8)
	neg[7] = -1
	for _, c := range []struct {
		labels []int
		want   string
	}{
		{make([]int, 7), "labels and logits disagree"},
		{bad, "label 5 of example 6 is not a class of 5"},
		{neg, "label -1 of example 7"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !contains(fmt.Sprint(r), c.want) {
					t.Errorf("labels %v: recovered %v, want a panic saying %q", c.labels, r, c.want)
				}
			}()
			var loss SoftmaxCrossEntropy
			g.TrainStep(x, c.labels, &loss)
		}()
	}
}

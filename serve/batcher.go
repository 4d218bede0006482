package serve

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// job is one request's examples waiting for the model.
type job struct {
	ctx  context.Context
	x    []float32 // n examples, each of the model's input size
	n    int
	done chan result // buffered: the batcher never waits for the handler
}

type result struct {
	y   []float32 // n outputs, each of the model's output size
	err error
}

var errClosed = errors.New("the server is shutting down")

// batcher owns the model graph: a Graph reuses its buffers, so only this
// goroutine runs Forward. It takes the first waiting job, then more until
// maxBatch examples are gathered or maxDelay has passed since the first,
// runs them as one batch and hands each job its rows of the output.
//
// A forward pass treats every example on its own, but not always with the
// same arithmetic: the matrix product under a dense layer takes plain Go
// loops (multiply, then add) for products of a few rows and the fused
// multiply-add kernel for larger ones, and a layer splits its rows over
// the threads. The last bits of an example's output can so depend on how
// many examples share its forward pass. To make a reply the same bit for
// bit whatever it was batched with, the batcher pads every pass to at
// least pad rows, the smallest count from which every batch size up to
// maxBatch gives each row the same bits (found by probing the model once
// at start, see findPad).
type batcher struct {
	model    *nn.Model
	in, out  int // values per example in and out
	pad      int // minimum rows per forward pass
	maxBatch int
	maxDelay time.Duration
	jobs     chan *job
	quit     chan struct{}
	stopped  chan struct{}
	observe  func(examples int) // batch-size metric
}

func newBatcher(m *nn.Model, maxBatch int, maxDelay time.Duration, observe func(int)) *batcher {
	b := &batcher{
		model: m, in: tensor.Size(m.Graph.InputShape()), out: tensor.Size(m.Graph.Output().Shape),
		maxBatch: maxBatch, maxDelay: maxDelay,
		jobs: make(chan *job, 4*maxBatch), quit: make(chan struct{}), stopped: make(chan struct{}),
		observe: observe,
	}
	b.pad = findPad(m, maxBatch)
	go b.loop()
	return b
}

// do queues x (n examples) and waits for its output. A request of more
// than maxBatch examples goes in parts of at most maxBatch, one after the
// other, so that no forward pass is larger than maxBatch: the graph keeps
// the buffers of its largest pass, and one big request must not leave the
// server holding them.
func (b *batcher) do(ctx context.Context, x []float32, n int) ([]float32, error) {
	if n <= b.maxBatch {
		return b.doPart(ctx, x, n)
	}
	out := make([]float32, 0, n*b.out)
	for lo := 0; lo < n; lo += b.maxBatch {
		hi := min(n, lo+b.maxBatch)
		y, err := b.doPart(ctx, x[lo*b.in:hi*b.in], hi-lo)
		if err != nil {
			return nil, err
		}
		out = append(out, y...)
	}
	return out, nil
}

func (b *batcher) doPart(ctx context.Context, x []float32, n int) ([]float32, error) {
	j := &job{ctx: ctx, x: x, n: n, done: make(chan result, 1)}
	select {
	case b.jobs <- j:
	case <-b.quit:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-j.done:
		return r.y, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-b.stopped:
		select {
		case r := <-j.done:
			return r.y, r.err
		default:
			return nil, errClosed // queued after the batcher had drained
		}
	}
}

// close stops the batcher once the jobs already queued are done.
func (b *batcher) close() {
	close(b.quit)
	<-b.stopped
}

func (b *batcher) loop() {
	defer close(b.stopped)
	x := &tensor.Tensor{}
	var batch []*job
	var held *job // a job that did not fit in the last batch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		batch = batch[:0]
		first := held
		held = nil
		if first == nil {
			select {
			case first = <-b.jobs:
			case <-b.quit:
				b.drain()
				return
			}
		}
		batch = append(batch, first)
		total := first.n
		if b.maxDelay == 0 {
			// No waiting: take only what is queued already.
		take:
			for total < b.maxBatch {
				select {
				case j := <-b.jobs:
					if total+j.n > b.maxBatch {
						held = j
						break take
					}
					batch = append(batch, j)
					total += j.n
				default:
					break take
				}
			}
		} else if total < b.maxBatch {
			timer.Reset(b.maxDelay)
		collect:
			for total < b.maxBatch {
				select {
				case j := <-b.jobs:
					if total+j.n > b.maxBatch {
						held = j
						break collect
					}
					batch = append(batch, j)
					total += j.n
				case <-timer.C:
					break collect
				}
			}
			timer.Stop()
		}
		b.run(x, batch)
	}
}

// drain answers the jobs still queued at shutdown: they were accepted, so
// they are run.
func (b *batcher) drain() {
	x := &tensor.Tensor{}
	for {
		select {
		case j := <-b.jobs:
			b.run(x, []*job{j})
		default:
			return
		}
	}
}

// run does one forward pass over the live jobs of batch.
func (b *batcher) run(x *tensor.Tensor, batch []*job) {
	live := batch[:0]
	total := 0
	for _, j := range batch {
		if j.ctx.Err() != nil {
			continue // the client has gone: skip its work
		}
		live = append(live, j)
		total += j.n
	}
	if total == 0 {
		return
	}
	rows := max(total, b.pad)
	shape := append([]int{rows}, b.model.Graph.InputShape()...)
	x.Resize(shape...)
	clear(x.Data[total*b.in:])
	off := 0
	for _, j := range live {
		copy(x.Data[off:], j.x)
		off += len(j.x)
	}
	y := b.model.Graph.Forward(x, false)
	b.observe(total)
	off = 0
	for _, j := range live {
		out := make([]float32, j.n*b.out)
		copy(out, y.Data[off:])
		off += len(out)
		j.done <- result{y: out}
	}
}

// findPad returns the smallest row count p such that a forward pass of
// any size from p to maxBatch gives every row the same output as the pass
// of maxBatch rows does. Whether a product takes the fused kernel depends
// on the shapes only, never on the values, so one probe with seeded
// values settles it.
func findPad(m *nn.Model, maxBatch int) int {
	in := tensor.Size(m.Graph.InputShape())
	r := rand.New(rand.NewPCG(1, 2))
	full := tensor.New(append([]int{maxBatch}, m.Graph.InputShape()...)...)
	for i := range full.Data {
		full.Data[i] = r.Float32()
	}
	want := append([]float32(nil), m.Graph.Forward(full, false).Data...)
	pad := 1
	for n := maxBatch - 1; n >= 1; n-- {
		x := tensor.FromData(full.Data[:n*in], append([]int{n}, m.Graph.InputShape()...)...)
		y := m.Graph.Forward(x, false).Data
		for i, v := range y {
			if v != want[i] && !(v != v && want[i] != want[i]) {
				return n + 1
			}
		}
	}
	return pad
}

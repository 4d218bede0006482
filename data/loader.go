package data

import "math/rand/v2"

// Shuffle returns the numbers 0..n-1 in an order drawn from rng: the same
// seed gives the same order.
func Shuffle(n int, rng *rand.Rand) []int {
	order := make([]int, n)
	shuffleInto(order, rng)
	return order
}

// shuffleInto sets order to 0..len-1, shuffled by rng unless rng is nil.
// Starting from the identity each time makes an epoch's order depend on the
// rng state alone, not on the previous epoch.
func shuffleInto(order []int, rng *rand.Rand) {
	for i := range order {
		order[i] = i
	}
	if rng != nil {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
}

// Loader hands out the example indices of epochs in batches. A typical loop:
//
//	l := data.NewLoader(train.Len(), 64, rng)
//	for epoch := range epochs {
//		for idx := l.Next(); idx != nil; idx = l.Next() {
//			train.Batch(idx, x, labels, aug, rng)
//			...
//		}
//		l.Epoch()
//	}
type Loader struct {
	// BatchSize is the number of indices per batch; the last batch of an
	// epoch may be smaller.
	BatchSize int
	// DropLast skips that smaller last batch.
	DropLast bool

	rng   *rand.Rand
	order []int
	pos   int
}

// NewLoader returns a Loader over n examples, ready for its first epoch.
// With rng nil every epoch is in order 0..n-1; otherwise each epoch is
// shuffled by rng. It panics if batchSize < 1.
func NewLoader(n, batchSize int, rng *rand.Rand) *Loader {
	if batchSize < 1 {
		panic("data: NewLoader: batch size must be at least 1")
	}
	l := &Loader{BatchSize: batchSize, rng: rng, order: make([]int, n)}
	shuffleInto(l.order, rng)
	return l
}

// Next returns the next batch of indices, or nil at the end of the epoch.
// The slice shares the Loader's storage: it is valid until Epoch is called.
func (l *Loader) Next() []int {
	rest := len(l.order) - l.pos
	if rest <= 0 || (l.DropLast && rest < l.BatchSize) {
		return nil
	}
	end := l.pos + min(rest, l.BatchSize)
	idx := l.order[l.pos:end:end]
	l.pos = end
	return idx
}

// Epoch starts a new epoch, in a new order when the Loader shuffles.
func (l *Loader) Epoch() {
	shuffleInto(l.order, l.rng)
	l.pos = 0
}

// Batches is the number of batches Next returns in one epoch.
func (l *Loader) Batches() int {
	if l.DropLast {
		return len(l.order) / l.BatchSize
	}
	return (len(l.order) + l.BatchSize - 1) / l.BatchSize
}

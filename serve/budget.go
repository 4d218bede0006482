package serve

import (
	"context"
	"errors"
	"sync"
	"time"
)

// budget caps the bytes that all requests together hold at once: their
// bodies, the tensors decoded from them and the replies encoded for them.
// The per-request body cap (Options.MaxBody) alone does not bound memory:
// many clients each sending a body just under it could together exhaust
// it. A request reserves its bytes before it reads its body and returns
// them when it is answered; one that does not fit waits, in arrival order,
// for at most a short time and is then refused with 503, so the server
// keeps its memory and goes on serving the requests it holds.
//
// A request never waits while it holds a reservation (grow does not
// block), so requests cannot deadlock each other over the budget.
type budget struct {
	mu      sync.Mutex
	limit   int64
	used    int64
	peak    int64
	waiters []*waiter // FIFO: a big request is not passed over forever
}

type waiter struct {
	n     int64
	ready chan struct{} // closed once n bytes are the waiter's
}

var errBusy = errors.New("serve: the server's in-flight byte budget is full")

func newBudget(limit int64) *budget { return &budget{limit: limit} }

// acquire reserves n bytes (at most the whole limit: a request larger
// than the budget runs alone), waiting up to wait for them. It fails with
// errBusy when they are not free in time, or with ctx's error.
func (b *budget) acquire(ctx context.Context, n int64, wait time.Duration) (int64, error) {
	n = min(n, b.limit)
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.limit {
		b.take(n)
		b.mu.Unlock()
		return n, nil
	}
	if wait <= 0 {
		b.mu.Unlock()
		return 0, errBusy
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()

	timer := time.NewTimer(wait)
	defer timer.Stop()
	var err error
	select {
	case <-w.ready:
		return n, nil
	case <-timer.C:
		err = errBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted while giving up: keep it after all
		return n, nil
	default:
	}
	for i, o := range b.waiters {
		if o == w {
			b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
			break
		}
	}
	b.wake() // the head may have changed
	return 0, err
}

// tryAcquire reserves n more bytes if they are free now and nobody waits.
func (b *budget) tryAcquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.waiters) > 0 || b.used+n > b.limit {
		return false
	}
	b.take(n)
	return true
}

// release returns n bytes and hands them to the waiters in order.
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	if b.used < 0 {
		b.mu.Unlock()
		panic("serve: budget released more than it holds")
	}
	b.wake()
	b.mu.Unlock()
}

// wake grants the waiters at the head of the queue that now fit.
func (b *budget) wake() {
	for len(b.waiters) > 0 {
		w := b.waiters[0]
		if b.used+w.n > b.limit {
			return
		}
		b.take(w.n)
		b.waiters = b.waiters[1:]
		close(w.ready)
	}
}

func (b *budget) take(n int64) {
	b.used += n
	b.peak = max(b.peak, b.used)
}

// inUse reports the bytes reserved now and the most ever reserved at once.
func (b *budget) inUse() (used, peak int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak
}

// reservation is one request's share of the budget.
type reservation struct {
	b    *budget
	held int64
}

// grow reserves up to n bytes in all, without waiting; it reports false
// if they are not free now. A reservation already holding the whole
// budget (a request larger than the budget) grows no further and runs.
func (r *reservation) grow(n int64) bool {
	if n <= r.held || r.held == r.b.limit {
		return true
	}
	extra := min(n, r.b.limit) - r.held
	if !r.b.tryAcquire(extra) {
		return false
	}
	r.held += extra
	return true
}

// shrink gives back what is held over n bytes.
func (r *reservation) shrink(n int64) {
	if n < r.held {
		r.b.release(r.held - n)
		r.held = n
	}
}

// done gives back everything.
func (r *reservation) done() { r.shrink(0) }

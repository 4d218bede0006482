package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// A reuse keeps objects for reuse across calls: the packing buffers of a
// GEMM, the bookkeeping of a Parallel call. A sync.Pool alone did not
// suffice: it empties itself at garbage collections and keeps each P's
// last object private, out of other Ps' reach, so with two goroutines
// trading Ps under load a Get found nothing now and then and made a new
// object, and a warm training step at 2 threads allocated (TestStepAllocs
// failed in 2 of 10 runs with the other core busy). A mutex-guarded list
// alone cost LeNet-5 inference 8-10% at 2 threads, its lock bouncing
// between the cores on every GEMM.
//
// So the pool stays the fast path, and every object made, up to
// 4·GOMAXPROCS of them, is also kept in a list that get searches when the
// pool comes up empty. (The pool still allocates its own per-P storage
// again after a collection, a few small allocations, but no longer a
// workspace of a megabyte each time.) An object may then be reachable both ways at once;
// its busy flag, taken with a compare-and-swap, gives it to one caller
// only. Objects past the list's cap live in the pool alone, and the
// garbage collector may take them back.
type reuse[T any] struct {
	pool sync.Pool
	mu   sync.Mutex
	all  []*reused[T]
	made int // objects made, for tests
}

// A reused is an object of a reuse and whether a caller has it.
type reused[T any] struct {
	busy atomic.Bool
	v    T
}

// get returns an object no other caller has, kept or new.
func (r *reuse[T]) get() *reused[T] {
	for {
		e, _ := r.pool.Get().(*reused[T])
		if e == nil {
			break
		}
		if e.busy.CompareAndSwap(false, true) {
			return e
		}
		// Taken through the list meanwhile; its owner puts it back.
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.all {
		if e.busy.CompareAndSwap(false, true) {
			return e
		}
	}
	e := new(reused[T])
	e.busy.Store(true)
	r.made++
	if len(r.all) < 4*runtime.GOMAXPROCS(0) {
		r.all = append(r.all, e)
	}
	return e
}

// put gives e back for a later get.
func (r *reuse[T]) put(e *reused[T]) {
	e.busy.Store(false)
	r.pool.Put(e)
}

package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

var threads atomic.Int32

// SetThreads sets how many goroutines the engine's parallel loops use.
// n <= 0 restores the default, GOMAXPROCS.
func SetThreads(n int) {
	if n < 0 {
		n = 0
	}
	threads.Store(int32(n))
}

// Threads reports how many goroutines parallel loops use.
func Threads() int {
	if n := int(threads.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// ParallelFor splits [0, n) into at most Threads() contiguous chunks and
// calls fn(worker, lo, hi) for each, concurrently, returning when all are
// done. worker is in [0, Workers(n)) and lets fn pick a per-worker scratch
// buffer. With one chunk fn runs on the calling goroutine.
func ParallelFor(n int, fn func(worker, lo, hi int)) {
	w := Workers(n)
	if w <= 1 {
		if n > 0 {
			fn(0, 0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		lo, hi := i*n/w, (i+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i, lo, hi)
		}()
	}
	fn(0, 0, n/w)
	wg.Wait()
}

// Workers is the number of chunks ParallelFor uses for n items.
func Workers(n int) int {
	return max(0, min(n, Threads()))
}

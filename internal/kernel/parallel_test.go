package kernel

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// coverTask records which worker handled each item.
type coverTask struct {
	owner []int32
	calls atomic.Int32
}

func (t *coverTask) Run(worker, lo, hi int) {
	t.calls.Add(1)
	for i := lo; i < hi; i++ {
		t.owner[i] = int32(worker)
	}
}

// TestParallelPartition checks that every item is handled exactly once, by
// the worker the fixed partition assigns it to.
func TestParallelPartition(t *testing.T) {
	defer SetThreads(Threads())
	for _, th := range []int{1, 2, 3, 8} {
		SetThreads(th)
		for _, n := range []int{0, 1, 2, 3, 7, 64, 1000} {
			task := &coverTask{owner: make([]int32, n)}
			for i := range task.owner {
				task.owner[i] = -1
			}
			Parallel(n, task)
			w := Workers(n)
			if int(task.calls.Load()) != w {
				t.Errorf("threads=%d n=%d: %d chunks, want %d", th, n, task.calls.Load(), w)
			}
			for c := 0; c < w; c++ {
				for i := c * n / w; i < (c+1)*n/w; i++ {
					if task.owner[i] != int32(c) {
						t.Fatalf("threads=%d n=%d: item %d run by worker %d, want %d", th, n, i, task.owner[i], c)
					}
				}
			}
		}
	}
}

// sumTask sums a slice in chunks, and at depth > 0 runs a nested Parallel
// inside each chunk.
type sumTask struct {
	x     []int64
	part  []int64
	depth int
}

func (t *sumTask) Run(worker, lo, hi int) {
	if t.depth > 0 {
		inner := &sumTask{x: t.x[lo:hi], part: make([]int64, Workers(hi-lo)), depth: t.depth - 1}
		Parallel(hi-lo, inner)
		t.part[worker] = inner.total()
		return
	}
	var s int64
	for _, v := range t.x[lo:hi] {
		s += v
	}
	t.part[worker] = s
}

func (t *sumTask) total() int64 {
	var s int64
	for _, v := range t.part {
		s += v
	}
	return s
}

// TestParallelConcurrentNested runs nested Parallel calls from many
// goroutines at once, more than there are threads, which must neither
// deadlock nor mix up results.
//
// It runs with the default spin wait, with none (every wait blocks), and
// with 1 µs, so that waits pass through polling, yielding and blocking.
func TestParallelConcurrentNested(t *testing.T) {
	defer SetThreads(Threads())
	defer SetSpinWait(SpinWait())
	SetThreads(4)
	for _, spin := range []time.Duration{DefaultSpinWait, 0, time.Microsecond} {
		SetSpinWait(spin)
		parallelConcurrentNested(t)
	}
}

func parallelConcurrentNested(t *testing.T) {
	x := make([]int64, 10000)
	var want int64
	for i := range x {
		x[i] = int64(i)
		want += int64(i)
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 50; r++ {
				task := &sumTask{x: x, part: make([]int64, Workers(len(x))), depth: r % 3}
				Parallel(len(x), task)
				if got := task.total(); got != want {
					t.Errorf("sum %d, want %d", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

type nopTask struct{ n atomic.Int64 }

func (t *nopTask) Run(worker, lo, hi int) { t.n.Add(int64(hi - lo)) }

// TestParallelAllocs checks that a warm Parallel call allocates nothing.
func TestParallelAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	defer SetThreads(Threads())
	SetThreads(2)
	task := &nopTask{}
	Parallel(100, task)
	if a := testing.AllocsPerRun(100, func() { Parallel(100, task) }); a != 0 {
		t.Errorf("a warm Parallel call allocates %v times, want 0", a)
	}
}

func BenchmarkParallel(b *testing.B) {
	defer SetThreads(Threads())
	SetThreads(2)
	task := &nopTask{}
	b.ReportAllocs()
	for range b.N {
		Parallel(2, task)
	}
}

// serialCheck is a nested task that records its chunks and fails when two
// of them overlap in time.
type serialCheck struct {
	t       *testing.T
	running atomic.Int32
	mu      sync.Mutex
	chunks  [][3]int
}

func (s *serialCheck) Run(worker, lo, hi int) {
	if s.running.Add(1) != 1 {
		s.t.Error("nested chunks of one call ran at the same time inside ParallelShards")
	}
	s.mu.Lock()
	s.chunks = append(s.chunks, [3]int{worker, lo, hi})
	s.mu.Unlock()
	s.running.Add(-1)
}

type shardTask struct{ inner []*serialCheck }

func (t *shardTask) Run(worker, lo, hi int) {
	for i := lo; i < hi; i++ {
		Parallel(10, t.inner[i])
	}
}

// TestParallelShardsNested checks that Parallel inside ParallelShards runs
// the same chunks as it would alone, one after another.
func TestParallelShardsNested(t *testing.T) {
	defer SetThreads(Threads())
	SetThreads(2)
	task := &shardTask{}
	for range 2 {
		task.inner = append(task.inner, &serialCheck{t: t})
	}
	ParallelShards(2, task)
	for i, s := range task.inner {
		want := [][3]int{{0, 0, 5}, {1, 5, 10}}
		if len(s.chunks) != 2 || s.chunks[0] != want[0] || s.chunks[1] != want[1] {
			t.Errorf("shard %d: nested chunks %v, want %v", i, s.chunks, want)
		}
	}
	if shards.Load() != 0 {
		t.Errorf("shard count %d after ParallelShards returned, want 0", shards.Load())
	}
}

package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var threads atomic.Int32

// SetThreads sets how many goroutines the engine's parallel loops use.
// n <= 0 restores the default, GOMAXPROCS. Call it between steps, not while
// a model runs: layers size their per-worker scratch from Workers just
// before each parallel loop, and the loop must see the same count.
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

// Workers is the number of chunks Parallel uses for n items: min(n, Threads()).
func Workers(n int) int {
	return max(0, min(n, Threads()))
}

// A Task is a loop body that Parallel spreads over workers. Run handles the
// items [lo, hi); worker, in [0, Workers(n)), numbers the chunk and lets Run
// pick a per-worker scratch buffer. Tasks are usually structs kept in a
// long-lived layer and passed by pointer, which costs no allocation.
type Task interface {
	Run(worker, lo, hi int)
}

// Parallel splits [0, n) into w = Workers(n) contiguous chunks, chunk i
// being [i·n/w, (i+1)·n/w), runs t.Run(i, lo, hi) for each concurrently and
// returns when all are done. The partition depends only on n and Threads(),
// never on scheduling, so a task that keeps per-worker partial results and
// sums them in worker order gives the same bits on every run.
//
// Chunk 0 runs on the calling goroutine; the others go to a pool of
// long-lived worker goroutines, so a warm call allocates nothing. Parallel
// is safe to call from several goroutines at once, and tasks may nest (a
// Run may call Parallel): a caller waiting for its chunks runs queued chunks
// itself, so the pool cannot deadlock, though nesting gains nothing when the
// outer loop already keeps every thread busy.
func Parallel(n int, t Task) {
	w := Workers(n)
	if w <= 1 || shards.Load() > 0 {
		// One chunk, or every thread busy with a shard: run the chunks
		// here, one after another, so per-worker partial results stay the
		// same.
		serial(n, w, t)
		return
	}
	parallel(n, w, t)
}

// serial runs the w chunks of [0, n) one after another on the caller.
func serial(n, w int, t Task) {
	for i := 0; i < w; i++ {
		t.Run(i, i*n/w, (i+1)*n/w)
	}
}

// shards counts the ParallelShards calls in progress.
var shards atomic.Int32

// ParallelShards is Parallel for coarse work that fills every thread by
// itself, such as the shards of a data-parallel training step, each a whole
// forward and backward pass over part of the batch. While it runs, Parallel
// calls made inside the shards (and any made meanwhile elsewhere) run their
// chunks serially on their own goroutine instead of handing them to threads
// that have none free: a nested call would otherwise pay a hand-off per
// layer and gain nothing.
func ParallelShards(n int, t Task) {
	w := Workers(n)
	if w <= 1 {
		serial(n, w, t)
		return
	}
	shards.Add(1)
	defer shards.Add(-1)
	parallel(n, w, t)
}

// parallel runs the w chunks of [0, n) concurrently; see Parallel.
func parallel(n, w int, t Task) {
	pool.grow(w - 1)
	e := callPool.get()
	c := &e.v
	if c.done == nil {
		c.done = make(chan struct{}, 1)
	}
	c.pending.Store(int32(w - 1))
	for i := 1; i < w; i++ {
		j := job{t: t, c: c, worker: i, lo: i * n / w, hi: (i + 1) * n / w}
		select {
		case pool.jobs <- j:
		default:
			j.run() // the queue is full: no one is idle, so do it here
		}
	}
	t.Run(0, 0, n/w)
	waitChunks(c)
	callPool.put(e)
}

// SetSpinWait sets how long an idle worker polls for its next chunk before
// blocking on the queue, and how long a caller polls for its chunks to
// finish before it yields between polls (and 20 times that before it
// blocks); d <= 0 makes both block at once. The default, DefaultSpinWait,
// suits a training loop or a benchmark, whose cores have nothing else to
// do; a server, whose cores can take other requests meanwhile, should set 0.
//
// Blocking costs more than its wake-up latency (about 150 µs from a channel
// send to the worker starting, measured on this project's 2-core VM): when
// the caller blocks, the runtime wakes it on the core of the worker that
// finished last, so the caller and the worker trade cores on every call, and
// each chunk's data, written on one core by the last call, is read from the
// other core's cache by the next. On LeNet-5 inference at batch 64, 2
// threads, that made every shard take 1.6 times as long as on one thread,
// and 2 threads no faster than 1. Polling keeps each goroutine on its core
// between calls. It is bounded, as OpenMP runtimes and ONNX Runtime bound
// theirs, and like ONNX Runtime's session option allow_spinning it can be
// turned off.
func SetSpinWait(d time.Duration) { spinWait.Store(int64(max(d, 0))) }

// SpinWait reports the current SetSpinWait setting.
func SpinWait() time.Duration { return time.Duration(spinWait.Load()) }

// DefaultSpinWait is SpinWait's default. On LeNet-5 at 2 threads, 50 µs
// gave 149-157K images/s in inference and 49-52K in training, 500 µs
// 154-161K and 52-54K, and blocking at once 115-128K and 37-44K. In
// `convnet train`, whose steps are further apart (the next batch is
// copied between them), 3 epochs took 6.6-7.3 s at 500 µs against
// 7.1-7.5 s at 100 µs, alternating.
const DefaultSpinWait = 500 * time.Microsecond

var spinWait atomic.Int64

func init() { SetSpinWait(DefaultSpinWait) }

// waitChunks returns when every chunk of c handed to the pool has run,
// running queued chunks (of this call or any other) itself meanwhile, so
// that the pool cannot deadlock when calls nest. It polls before it blocks:
// see SetSpinWait.
func waitChunks(c *call) {
	spin := SpinWait()
	yield := 20 * spin
	t0 := time.Now()
	for spin > 0 && c.pending.Load() > 0 {
		select {
		case j := <-pool.jobs:
			j.run()
			continue
		default:
		}
		waited := time.Since(t0)
		if waited > yield {
			break
		}
		if waited < spin {
			spinPause()
		} else {
			runtime.Gosched()
		}
	}
	for {
		select {
		case <-c.done: // sent by the last chunk to finish, even when polling saw it
			return
		case j := <-pool.jobs:
			j.run()
		}
	}
}

// ParallelFor is Parallel for a function. The closure usually escapes to the
// heap, so hot loops keep a Task instead.
func ParallelFor(n int, fn func(worker, lo, hi int)) {
	Parallel(n, funcTask(fn))
}

type funcTask func(worker, lo, hi int)

func (f funcTask) Run(worker, lo, hi int) { f(worker, lo, hi) }

// A call tracks the chunks of one Parallel call that run elsewhere: the
// last one to finish signals done. Calls are recycled through callPool.
type call struct {
	pending atomic.Int32
	done    chan struct{}
}

var callPool reuse[call]

// A job is one chunk of a Parallel call.
type job struct {
	t              Task
	c              *call
	worker, lo, hi int
}

func (j job) run() {
	j.t.Run(j.worker, j.lo, j.hi)
	if j.c.pending.Add(-1) == 0 {
		j.c.done <- struct{}{}
	}
}

// workerPool is the set of goroutines that run chunks handed out by
// Parallel. It only grows, to the largest number of helpers any call has
// needed; a worker idle for longer than SpinWait blocks on jobs and costs
// nothing.
type workerPool struct {
	jobs    chan job
	mu      sync.Mutex
	started atomic.Int32
}

var pool = workerPool{jobs: make(chan job, 256)}

// grow makes sure at least n worker goroutines are running.
func (p *workerPool) grow(n int) {
	if int(p.started.Load()) >= n {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for int(p.started.Load()) < n {
		p.started.Add(1)
		go p.work()
	}
}

func (p *workerPool) work() {
	for {
		p.next().run()
	}
}

// next returns the next job, polling the queue for up to SpinWait before
// blocking on it.
func (p *workerPool) next() job {
	spin := SpinWait()
	if spin == 0 {
		return <-p.jobs
	}
	var t0 time.Time
	for i := 0; ; i++ {
		select {
		case j := <-p.jobs:
			return j
		default:
		}
		if i%64 == 0 {
			if i == 0 {
				t0 = time.Now()
			} else if time.Since(t0) > spin {
				return <-p.jobs
			}
		}
		spinPause()
	}
}

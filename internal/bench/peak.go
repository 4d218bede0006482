package bench

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// fmaGoFlop is the FLOP count of one iteration of fmaGo.
const fmaGoFlop = 16

// fmaSink keeps fmaGo's results alive so the compiler cannot drop the loop.
var fmaSink float64

// fmaGo runs n iterations of 8 independent scalar fused multiply-adds.
func fmaGo(n int) {
	var a0, a1, a2, a3, a4, a5, a6, a7 float64
	const x, y = 0.999, 1e-9
	for range n {
		a0 = math.FMA(a0, x, y)
		a1 = math.FMA(a1, x, y)
		a2 = math.FMA(a2, x, y)
		a3 = math.FMA(a3, x, y)
		a4 = math.FMA(a4, x, y)
		a5 = math.FMA(a5, x, y)
		a6 = math.FMA(a6, x, y)
		a7 = math.FMA(a7, x, y)
	}
	fmaSink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
}

// triadGo is the STREAM triad a[i] = b[i] + s·c[i] in plain Go.
func triadGo(a, b, c []float32, s float32) {
	b, c = b[:len(a)], c[:len(a)]
	for i := range a {
		a[i] = b[i] + s*c[i]
	}
}

// onThreads runs f(i) on t goroutines at once, each locked to its own OS
// thread, and returns the wall time from the moment all t are running to
// the last end. The goroutines meet at a spinning barrier, not a channel: a
// goroutine woken from a channel starts some 150 µs late on this project's
// 2-core VM, and that lag counted in the time made 2 cores' FMA peak 1.48
// times one core's, below the 2-core sgemm.
func onThreads(t int, f func(i int)) time.Duration {
	var arrived atomic.Int32
	var t0 time.Time
	ends := make([]time.Time, t)
	var done sync.WaitGroup
	done.Add(t)
	for i := range t {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if arrived.Add(1) == int32(t) {
				t0 = time.Now()
				arrived.Add(1) // release the others
			}
			for arrived.Load() <= int32(t) {
			}
			f(i)
			ends[i] = time.Now()
			done.Done()
		}()
	}
	done.Wait()
	end := t0
	for _, e := range ends {
		if e.After(end) {
			end = e
		}
	}
	return end.Sub(t0)
}

// Peak measures the FP32 FMA peak of t cores with a loop of independent
// vector FMAs (GFLOP/s, counting an FMA as 2 FLOP), the STREAM triad memory
// bandwidth of t cores over three arrays of 16 Mi float32s (GB/s, 12 bytes
// per element), and, for scale, a 1024³ kernel.Sgemm (GFLOP/s, the median
// as elsewhere). The FMA peak and the triad keep their fastest repeat.
// Where the widest loop is AVX-512 it also times the AVX2 loop, whose peak
// differs from it on cores with full-width AVX-512 units.
func Peak(o Options) []Result {
	loop, flop, isa := fmaLoop()
	// FMA: 2 Mi iterations, some 4 ms a call on one AVX-512 core, long
	// enough that starting the threads is lost in it.
	const iters = 1 << 21
	fmaGFLOPS := func(loop func(int), flop int) float64 {
		sec := measureBest(o, func() {
			onThreads(o.Threads, func(int) { loop(iters) })
		})
		return float64(o.Threads) * iters * float64(flop) / sec / 1e9
	}
	gflops := fmaGFLOPS(loop, flop)
	avx2 := 0.0
	if loop2, flop2 := avx2FMALoop(); loop2 != nil {
		avx2 = fmaGFLOPS(loop2, flop2)
	}

	const n = 16 << 20
	a, b, c := make([]float32, n), randSlice(n, 1), randSlice(n, 2)
	triad(a, b, c, 1.5) // fault the pages in
	tr := measureBest(o, func() {
		onThreads(o.Threads, func(i int) {
			lo, hi := i*n/o.Threads, (i+1)*n/o.Threads
			triad(a[lo:hi], b[lo:hi], c[lo:hi], 1.5)
		})
	})
	gbps := 12 * n / tr / 1e9

	sg := sgemmGFLOPS(o, 1024)
	return []Result{{Bench: "peak", Threads: o.Threads, CPU: CPUName(), ISA: isa, GFLOPS: gflops, AVX2GFLOPS: avx2, GBPS: gbps, SgemmGFLOPS: sg}}
}

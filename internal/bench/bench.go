// Package bench holds the benchmarks behind `convnet bench`: the machine's
// FMA peak and memory bandwidth, convolution throughput per shape,
// activation kernels, and whole-model training and inference, each
// reported as a Result that prints as one JSON line.
//
// bench/torch_peer.py measures the same list with PyTorch, and
// bench/ort_peer.js the inference figures with ONNX Runtime; both print the
// same JSON lines, so bench/sidebyside can pair them up.
//
// Every figure comes from the same protocol (measure): a warm-up, then
// several timed repeats of enough calls to fill Options.Time between them,
// and the median of the repeats. Models and conv layers time a fresh
// instance in each repeat (measureFresh).
package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/convnet/convnet/internal/kernel"
)

// Options set how a benchmark runs.
type Options struct {
	Threads int           // goroutines for the engine's parallel loops (and GOMAXPROCS)
	Time    time.Duration // time spent timing each figure, split over Repeats
	Repeats int           // timed repeats; the median is reported
}

// Result is one figure of one benchmark, one JSON line. Only the fields of
// its kind are set; the others are left out of the JSON.
type Result struct {
	Bench   string `json:"bench"`
	Threads int    `json:"threads"`

	// peak
	CPU         string  `json:"cpu,omitempty"` // CPUName
	ISA         string  `json:"isa,omitempty"`
	GFLOPS      float64 `json:"gflops,omitempty"`
	AVX2GFLOPS  float64 `json:"avx2_gflops,omitempty"` // the AVX2 loop's peak, where the widest is AVX-512
	GBPS        float64 `json:"gbps,omitempty"`
	SgemmGFLOPS float64 `json:"sgemm_gflops,omitempty"`

	// conv: "N,C,H,W,F,K,pad"
	Shape        string  `json:"shape,omitempty"`
	FwdGFLOPS    float64 `json:"fwd_gflops,omitempty"`
	FwdBwdGFLOPS float64 `json:"fwdbwd_gflops,omitempty"`

	// act: relu, leakyrelu, sigmoid, tanh; forward or backward; N elements
	Act       string  `json:"act,omitempty"`
	Dir       string  `json:"dir,omitempty"`
	N         int     `json:"n,omitempty"`
	NsPerElem float64 `json:"ns_per_elem,omitempty"`

	// models
	Batch      int     `json:"batch,omitempty"`
	ImagesPerS float64 `json:"images_per_s,omitempty"`
	US         float64 `json:"us,omitempty"`
}

// A Benchmark is one name of `convnet bench`.
type Benchmark struct {
	Name string
	Doc  string
	Run  func(Options) []Result
}

// All lists the benchmarks in the order `convnet bench` runs them.
var All = []Benchmark{
	{"peak", "FP32 FMA peak (gflops; avx2_gflops beside an AVX-512 one), STREAM triad bandwidth (gbps), 1024³ sgemm; the CPU (cpu)", Peak},
	{"conv", "conv forward and forward+backward GFLOP/s over eight shapes (nominal: the direct sum's FLOPs over the time)", Conv},
	{"act", "ReLU, LeakyReLU, sigmoid, tanh forward and backward, ns per element", Act},
	{"lenet-train", "LeNet-5 training, SGD momentum, batch 64, images/s", LeNetTrain},
	{"lenet-infer", "LeNet-5 inference, batch 64, images/s", LeNetInfer},
	{"lenet-latency", "LeNet-5 inference, batch 1, microseconds", LeNetLatency},
	{"cifarnet-train", "cifarnet training, SGD momentum, batch 64, images/s", CifarNetTrain},
	{"cifarnet-infer", "cifarnet inference, batch 64, images/s", CifarNetInfer},
}

// Lookup returns the benchmark called name.
func Lookup(name string) (Benchmark, bool) {
	for _, b := range All {
		if b.Name == name {
			return b, true
		}
	}
	return Benchmark{}, false
}

// Run runs b at o.Threads threads: it sets the engine's thread count and
// GOMAXPROCS for the duration, so that one thread means one core, as
// torch.set_num_threads(1) does for the peer.
func Run(b Benchmark, o Options) []Result {
	if o.Threads < 1 {
		o.Threads = runtime.NumCPU()
	}
	if o.Repeats < 1 {
		o.Repeats = 5
	}
	if o.Time <= 0 {
		o.Time = time.Second
	}
	prevProcs := runtime.GOMAXPROCS(o.Threads)
	prevThreads := kernel.Threads()
	kernel.SetThreads(o.Threads)
	defer func() {
		kernel.SetThreads(prevThreads)
		runtime.GOMAXPROCS(prevProcs)
	}()
	return b.Run(o)
}

// measure returns the median time of one call of f in seconds. It warms up
// for a quarter of o.Time (at least two calls), sizes a repeat from that,
// collects garbage, then times o.Repeats repeats of o.Time/o.Repeats each
// (at least one call).
func measure(o Options, f func()) float64 {
	times := repeats(o, f)
	return times[len(times)/2]
}

// measureBest is measure keeping the fastest repeat, for the peak figures:
// a ceiling that only other work on the machine can lower, which STREAM
// reports the same way.
func measureBest(o Options, f func()) float64 {
	return repeats(o, f)[0]
}

// repeats returns the sorted per-call times of measure's repeats.
func repeats(o Options, f func()) []float64 {
	k := warmUp(f, o.Time/4, o.Time/time.Duration(o.Repeats))
	runtime.GC() // the setup's garbage is not the timed code's cost
	times := make([]float64, o.Repeats)
	for r := range times {
		times[r] = timeCalls(f, k)
	}
	slices.Sort(times)
	return times
}

// measureFresh is measure for a model or a layer, whose speed at 2 threads
// hangs on where its buffers land in memory. Measured on this project's
// 2-core VM:
//   - LeNet-5 training, 2 threads: 0.99 ms a step on one instance, 1.10 ms
//     on another, alternating in one process. Each instance kept its speed
//     from round to round; rebuilding only its data-parallel replicas moved
//     it between the two. At 1 thread no instance stood out from the noise
//     between rounds (a few %).
//   - LeNet-5's first conv layer, 2 threads: its backward pass took 165,
//     205 or 340 µs by where its two workers' column-gradient buffers lay.
//     In one process, buffers 72 KB apart were slow at every offset tried
//     and 512 KB apart fast; in another, both distances were fast. So it is
//     the physical pages behind them, which a process does not choose.
//     Aligning buffers to cache lines, a huge-page arena (the VM granted no
//     huge pages) and flush-to-zero did not remove it.
//
// With one instance per process, a figure was one draw from that spread.
// So each repeat builds a fresh instance with build (which returns the call
// to time), warms it up and times it, and the median is over instances.
// All are kept alive until the last is timed, so that none reuses the
// memory of the one before. Over 10 processes each, the standard deviation
// of lenet-train at 2 threads fell from 4.2% to 1.4% (median 56.3K and
// 56.1K images/s), and of the first layer's conv figure from 21% to 6%.
func measureFresh(o Options, build func() func()) float64 {
	calls := make([]func(), o.Repeats)
	times := make([]float64, o.Repeats)
	for r := range calls {
		calls[r] = build()
		k := warmUp(calls[r], o.Time/time.Duration(4*o.Repeats), o.Time/time.Duration(o.Repeats))
		runtime.GC()
		times[r] = timeCalls(calls[r], k)
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// warmUp calls f for warm (at least twice) and returns how many calls fill
// a repeat of the given length (at least one).
func warmUp(f func(), warm, repeat time.Duration) int {
	calls := 0
	t0 := time.Now()
	for calls < 2 || time.Since(t0) < warm {
		f()
		calls++
	}
	per := time.Since(t0).Seconds() / float64(calls)
	return max(1, int(repeat.Seconds()/per))
}

// timeCalls returns the seconds of one call of f, timed over k calls.
func timeCalls(f func(), k int) float64 {
	t := time.Now()
	for range k {
		f()
	}
	return time.Since(t).Seconds() / float64(k)
}

// randSlice returns n values uniform in [-1, 1) from a source seeded with seed.
func randSlice(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0x62656e6368)) // "bench"
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// sgemmGFLOPS times C = A·B for n×n matrices on o.Threads goroutines, each
// computing a band of rows of C, as the engine's layers parallelise.
func sgemmGFLOPS(o Options, n int) float64 {
	a, b, c := randSlice(n*n, 3), randSlice(n*n, 4), make([]float32, n*n)
	sec := measure(o, func() {
		kernel.ParallelFor(n/16, func(_, lo, hi int) {
			r0, r1 := lo*16, hi*16
			kernel.Sgemm(false, false, r1-r0, n, n, 1, a[r0*n:], n, b, n, 0, c[r0*n:], n)
		})
	})
	return 2 * float64(n) * float64(n) * float64(n) / sec / 1e9
}

func shapeString(s ...int) string {
	str := fmt.Sprint(s[0])
	for _, v := range s[1:] {
		str += fmt.Sprintf(",%d", v)
	}
	return str
}

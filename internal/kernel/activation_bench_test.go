package kernel

import (
	"math/rand/v2"
	"testing"
)

// benchN is the length of the elementwise benchmarks: 16 Mi float32s, 64 MiB
// per slice, far beyond the caches, so they measure streaming from memory.
const benchN = 16 << 20

var benchBufs [3][]float32

// benchSlices returns three benchN-long slices of values in [-4, 4), made
// once and shared by every benchmark.
func benchSlices() (a, b, c []float32) {
	if benchBufs[0] == nil {
		rng := rand.New(rand.NewPCG(1, 1))
		for i := range benchBufs {
			benchBufs[i] = make([]float32, benchN)
			for j := range benchBufs[i] {
				benchBufs[i][j] = rng.Float32()*8 - 4
			}
		}
	}
	return benchBufs[0], benchBufs[1], benchBufs[2]
}

// benchElementwise runs f over benchN elements per iteration, counting
// streams slices of 4 bytes per element for the MB/s figure, and reports
// ns per element.
func benchElementwise(b *testing.B, streams int, f func()) {
	b.SetBytes(int64(streams * 4 * benchN))
	b.ReportAllocs()
	f()
	b.ResetTimer()
	for range b.N {
		f()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/elem")
}

// BenchmarkTriad is the STREAM triad a = b + s·c in plain Go: the memory
// bandwidth yardstick for the elementwise kernels (3 streams).
func BenchmarkTriad(b *testing.B) {
	x, y, z := benchSlices()
	benchElementwise(b, 3, func() {
		y, z := y[:len(x)], z[:len(x)]
		for i := range x {
			x[i] = y[i] + 1.5*z[i]
		}
	})
}

// BenchmarkTriadVector moves the triad's three streams (two read, one
// written) at vector speed, with the AVX2 dst += src of col2im: plain Go's
// scalar triad is bound by its instruction rate, not by memory.
func BenchmarkTriadVector(b *testing.B) {
	x, y, _ := benchSlices()
	benchElementwise(b, 3, func() { addTo(x, y) })
}

// BenchmarkCopy is the runtime's vectorised memmove (2 streams), the
// yardstick for one-in, one-out kernels.
func BenchmarkCopy(b *testing.B) {
	x, y, _ := benchSlices()
	benchElementwise(b, 2, func() { copy(y, x) })
}

func BenchmarkReLUForward(b *testing.B) {
	x, y, _ := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 2, func() { ReLUForward(x, y) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 2, func() { reluForwardGo(x, y) }) })
}

func BenchmarkReLUBackward(b *testing.B) {
	x, dy, dx := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 3, func() { ReLUBackward(x, dy, dx) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 3, func() { reluBackwardGo(x, dy, dx) }) })
}

func BenchmarkLeakyReLUForward(b *testing.B) {
	x, y, _ := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 2, func() { LeakyReLUForward(x, y, 0.01) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 2, func() { leakyReLUForwardGo(x, y, 0.01) }) })
}

func BenchmarkLeakyReLUBackward(b *testing.B) {
	x, dy, dx := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 3, func() { LeakyReLUBackward(x, dy, dx, 0.01) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 3, func() { leakyReLUBackwardGo(x, dy, dx, 0.01) }) })
}

func BenchmarkSigmoidForward(b *testing.B) {
	x, y, _ := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 2, func() { SigmoidForward(x, y) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 2, func() { sigmoidForwardGo(x, y) }) })
}

func BenchmarkTanhForward(b *testing.B) {
	x, y, _ := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 2, func() { TanhForward(x, y) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 2, func() { tanhForwardGo(x, y) }) })
}

func BenchmarkSigmoidBackward(b *testing.B) {
	y, dy, dx := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 3, func() { SigmoidBackward(y, dy, dx) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 3, func() { sigmoidBackwardGo(y, dy, dx) }) })
}

func BenchmarkTanhBackward(b *testing.B) {
	y, dy, dx := benchSlices()
	b.Run("fast", func(b *testing.B) { benchElementwise(b, 3, func() { TanhBackward(y, dy, dx) }) })
	b.Run("go", func(b *testing.B) { benchElementwise(b, 3, func() { tanhBackwardGo(y, dy, dx) }) })
}

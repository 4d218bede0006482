//go:build !amd64 || noasm

package bench

// fmaLoop returns the pure-Go FMA loop: on builds without assembly the peak
// is what plain Go reaches, not the machine's.
func fmaLoop() (loop func(n int), flopPerIter int, isa string) {
	return fmaGo, fmaGoFlop, "go"
}

// avx2FMALoop has no AVX2 loop to offer here.
func avx2FMALoop() (loop func(n int), flopPerIter int) { return nil, 0 }

func triad(a, b, c []float32, s float32) { triadGo(a, b, c, s) }

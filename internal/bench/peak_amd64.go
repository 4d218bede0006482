//go:build amd64 && !noasm

package bench

import "golang.org/x/sys/cpu"

// fmaAVX512 runs n iterations of 12 independent 16-wide FMAs (384 FLOP each).
//
//go:noescape
func fmaAVX512(n int)

// fmaAVX2 runs n iterations of 12 independent 8-wide FMAs (192 FLOP each).
//
//go:noescape
func fmaAVX2(n int)

// triadAVX2 is the STREAM triad a[i] = b[i] + s·c[i]; len(a) is a multiple of 16.
//
//go:noescape
func triadAVX2(a, b, c []float32, s float32)

// fmaLoop returns the widest FMA loop this CPU runs, its FLOP per
// iteration and the name of its instruction set.
func fmaLoop() (loop func(n int), flopPerIter int, isa string) {
	switch {
	case cpu.X86.HasAVX512F:
		return fmaAVX512, 384, "avx512"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return fmaAVX2, 192, "avx2"
	}
	return fmaGo, fmaGoFlop, "go"
}

// avx2FMALoop returns the AVX2 FMA loop and its FLOP per iteration when
// the widest loop is AVX-512, else nil. Some cores run AVX-512 FMAs at half
// width (AMD Zen 4: both loops reach one peak); others, such as this
// project's Zen 5 machine, have full-width units, and there the AVX2 loop
// reaches half the AVX-512 peak: 108-110 against 214-219 GFLOP/s a core.
func avx2FMALoop() (loop func(n int), flopPerIter int) {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return fmaAVX2, 192
	}
	return nil, 0
}

// triad is a[i] = b[i] + s·c[i] at vector speed where the CPU has AVX2.
func triad(a, b, c []float32, s float32) {
	if !(cpu.X86.HasAVX2 && cpu.X86.HasFMA) {
		triadGo(a, b, c, s)
		return
	}
	n := len(a) &^ 15
	triadAVX2(a[:n], b[:n], c[:n], s)
	triadGo(a[n:], b[n:len(a)], c[n:len(a)], s)
}

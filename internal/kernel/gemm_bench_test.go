package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// gemmBenchShapes are products the layers make: convolution forward
// (filters × pixels × C·KH·KW), its weight gradient (NT) and input gradient
// (TN), dense layers, and a square one for comparison with other BLAS.
var gemmBenchShapes = []struct {
	transA, transB bool
	m, n, k        int
}{
	{false, false, 64, 784, 25},
	{false, false, 16, 100, 150},
	{false, false, 128, 64, 1152},
	{false, false, 256, 196, 2304},
	{false, false, 512, 512, 512},
	{false, true, 64, 576, 784},
	{true, false, 576, 784, 64},
	{false, true, 128, 120, 8192},
}

// benchSgemmPaths is the exported Sgemm beside the packed path with each
// slower kernel and the plain loops.
func benchSgemmPaths() []sgemmPath {
	paths := sgemmPaths()
	paths[0].name = "fast"
	return paths
}

func BenchmarkSgemm(b *testing.B) {
	for _, s := range gemmBenchShapes {
		for _, p := range benchSgemmPaths() {
			name := fmt.Sprintf("%s%s/%dx%dx%d/%s", tname(s.transA), tname(s.transB), s.m, s.n, s.k, p.name)
			b.Run(name, func(b *testing.B) { benchSgemm(b, p.fn, s.transA, s.transB, s.m, s.n, s.k) })
		}
	}
}

// BenchmarkSgemmSmall measures where the packed path starts to beat the plain
// loops, which sets sgemmSmall.
func BenchmarkSgemmSmall(b *testing.B) {
	for _, s := range sgemmSmallShapes {
		for _, p := range []sgemmPath{{"packed", packedSgemm(gemmKernelForCPU())}, {"simple", simpleSgemm}} {
			for combo := 0; combo < 4; combo++ {
				transA, transB := combo&1 != 0, combo&2 != 0
				name := fmt.Sprintf("%s%s/%dx%dx%d/%s", tname(transA), tname(transB), s[0], s[1], s[2], p.name)
				b.Run(name, func(b *testing.B) { benchSgemm(b, p.fn, transA, transB, s[0], s[1], s[2]) })
			}
		}
	}
}

func tname(trans bool) string {
	if trans {
		return "T"
	}
	return "N"
}

// benchSgemm times C = A·B on random operands, reporting GFLOP/s (2·m·n·k
// flops per call) and allocations.
func benchSgemm(b *testing.B, f sgemmFunc, transA, transB bool, m, n, k int) {
	rng := rand.New(rand.NewPCG(1, 1))
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	a, bm, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = rng.Float32()
	}
	for i := range bm {
		bm[i] = rng.Float32()
	}
	b.ReportAllocs()
	b.SetBytes(int64(4 * (m*k + k*n + m*n)))
	for b.Loop() {
		f(transA, transB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// sgemmSmallShapes straddle the line sgemmSmall draws.
var sgemmSmallShapes = [][3]int{
	{4, 4, 4}, {4, 4, 16}, {3, 3, 50}, {1, 10, 84}, {1, 10, 400},
	{4, 8, 8}, {8, 8, 8}, {2, 16, 16}, {1, 32, 32}, {2, 10, 84}, {1, 120, 400},
}

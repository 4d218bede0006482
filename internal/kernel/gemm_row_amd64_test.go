//go:build amd64 && !noasm

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmRowKernelSameBits checks that products whose last rows go to the
// row kernel (1 or 2 rows past the whole tiles) give the bits of the 8-row
// tile, which computed them before: every transpose, alpha and beta, k
// across the kc blocks, n across full and narrow panels.
func TestGemmRowKernelSameBits(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, m := range []int{1, 2, 9, 10, 17} {
		for _, n := range []int{1, 10, 16, 17, 32, 33, 120, 1100} {
			for _, k := range []int{1, 7, 84, 256, 400, 700} {
				for _, ab := range [][2]float32{{1, 0}, {1, 1}, {0.5, -2}} {
					for combo := range 4 {
						transA, transB := combo&1 != 0, combo&2 != 0
						name := fmt.Sprintf("%dx%dx%d %s%s alpha %g beta %g", m, n, k, tname(transA), tname(transB), ab[0], ab[1])
						checkRowKernelBits(t, rng, name, transA, transB, m, n, k, ab[0], ab[1])
					}
				}
			}
		}
	}
}

func checkRowKernelBits(t *testing.T, rng *rand.Rand, name string, transA, transB bool, m, n, k int, alpha, beta float32) {
	t.Helper()
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = 2*rng.Float32() - 1
	}
	for i := range b {
		b[i] = 2*rng.Float32() - 1
	}
	c0 := make([]float32, m*n)
	for i := range c0 {
		c0[i] = 2*rng.Float32() - 1
	}
	run := func(row *gemmKernel) []float32 {
		prev := avx512Kernel.row
		avx512Kernel.row = row
		defer func() { avx512Kernel.row = prev }()
		c := append([]float32(nil), c0...)
		sgemmPacked(&avx512Kernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
		return c
	}
	want, got := run(nil), run(avx512Kernel.row)
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %g with the row kernel, %g with the 8-row tile", name, i, got[i], want[i])
		}
	}
}

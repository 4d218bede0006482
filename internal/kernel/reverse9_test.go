package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestReverse9 checks Reverse9 on every CPU feature level against the
// definition, written out here, for run counts 1 to 17 and strides from
// adjacent runs (9) to gaps; the values between and after the runs must
// stay as they were.
func TestReverse9(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, n := range []int{1, 2, 3, 16, 17} {
				for _, ldd := range []int{9, 10, 16, 9 * 33} {
					name := fmt.Sprintf("%s/n=%d/ldd=%d", l.name, n, ldd)
					src := randSlice(rng, 9*n)
					dst := randSlice(rng, (n-1)*ldd+9+16)
					want := append([]float32(nil), dst...)
					for i := 0; i < n; i++ {
						for j := 0; j < 9; j++ {
							want[i*ldd+j] = src[i*9+8-j]
						}
					}
					Reverse9(dst, ldd, src, n)
					for i := range want {
						if dst[i] != want[i] {
							t.Fatalf("%s: dst[%d] = %g, want %g", name, i, dst[i], want[i])
						}
					}
				}
			}
		})
	}
}

func TestReverse9Short(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Reverse9 into a short dst did not panic")
		}
	}()
	Reverse9(make([]float32, 17), 9, make([]float32, 18), 2)
}

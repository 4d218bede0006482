package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCopyRows checks CopyRows against copy for widths around the 16-value
// vector, with guard values between the rows of dst that must survive, on
// every CPU feature level.
func TestCopyRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, cols := range []int{1, 8, 15, 16, 17, 24, 31, 32, 33, 56} {
				for _, rows := range []int{1, 3, 28} {
					name := fmt.Sprintf("%s/rows=%d/cols=%d", l.name, rows, cols)
					lds, ldd := cols+rng.IntN(5), cols+3
					src := randSlice(rng, (rows-1)*lds+cols)
					dst := randSlice(rng, (rows-1)*ldd+cols+3)
					want := append([]float32(nil), dst...)
					for r := 0; r < rows; r++ {
						copy(want[r*ldd:][:cols], src[r*lds:][:cols])
					}
					CopyRows(dst, ldd, src, lds, rows, cols)
					for i := range want {
						if dst[i] != want[i] {
							t.Fatalf("%s: dst[%d] = %v, want %v", name, i, dst[i], want[i])
						}
					}
				}
			}
		})
	}
}

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestConvWgradAccumulateOnes checks ConvWgradAccumulateOnes against
// ConvWgradAccumulate over the same plane of ones, bit for bit in the sums:
// tap counts that are a multiple of 4 (the last block adds the ones tap)
// and not (it multiplies, as before), rows in blocks of 6 and pairs,
// several examples, a run of pixels and rows of them, on every CPU
// feature level.
func TestConvWgradAccumulateOnes(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, rows := range []int{6, 8, 32} {
				for _, taps := range []int{4, 26, 28} {
					for _, ne := range []int{1, 2} {
						for _, px := range []ConvWgradPixels{ConvWgradRun(48), {Width: 32, Height: 3, AStride: 32, BStride: 34}} {
							aspan, bspan := px.span()
							astr := aspan + 16
							lda := ne*astr + 3
							// Image values, then a plane of ones at 200.
							bstr := 200 + bspan
							b := randSlice(rng, (ne-1)*bstr+bstr)
							for e := 0; e < ne; e++ {
								for i := 200; i < bstr; i++ {
									b[e*bstr+i] = 1
								}
							}
							off := make([]int32, taps)
							for i := range taps - 1 {
								off[i] = int32(i * 150 / taps)
							}
							off[taps-1] = 200
							a := randSlice(rng, (ConvWgradRowsAlloc(rows)-1)*lda+(ne-1)*astr+aspan)
							want := make([]float32, ConvWgradAccLen(rows, taps))
							got := make([]float32, len(want))
							ConvWgradAccumulate(rows, a, lda, astr, b, bstr, off, px, ne, want)
							ConvWgradAccumulateOnes(rows, a, lda, astr, b, bstr, off, px, ne, got)
							name := fmt.Sprintf("%s/rows=%d/taps=%d/ne=%d/px=%+v", l.name, rows, taps, ne, px)
							for i := range got {
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
									t.Fatalf("%s: sum %d is %v, ConvWgradAccumulate gives %v", name, i, got[i], want[i])
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestConvWgradAccumulateOnesPanics checks that a last tap that does not
// point at ones panics with a message naming the function.
func TestConvWgradAccumulateOnesPanics(t *testing.T) {
	b := make([]float32, 300)
	a := make([]float32, 6*64)
	acc := make([]float32, ConvWgradAccLen(6, 4))
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "ConvWgradAccumulateOnes") {
			t.Errorf("recovered %v, want a panic naming ConvWgradAccumulateOnes", r)
		}
	}()
	ConvWgradAccumulateOnes(6, a, 64, 64, b, 300, []int32{0, 1, 2, 200}, ConvWgradRun(16), 1, acc)
}

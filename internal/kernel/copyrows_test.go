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

// TestCopyPlanes checks CopyPlanes against copy over several planes with
// gaps between them and between the rows, whose guard values must survive,
// for widths around the 16-value vector (8 takes its own path), on every
// CPU feature level.
func TestCopyPlanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, cols := range []int{1, 7, 8, 9, 16, 24, 32, 40} {
				for _, planes := range []int{1, 2, 5} {
					rows := 1 + rng.IntN(4)
					lds, ldd := cols+rng.IntN(3), cols+2
					// Planes may start inside the previous plane's last
					// stride, past the values it copies, as the shifted
					// layout's examples do.
					sp, dp := (rows-1)*lds+cols+rng.IntN(3), (rows-1)*ldd+cols+rng.IntN(5)
					name := fmt.Sprintf("%s/planes=%d/rows=%d/cols=%d", l.name, planes, rows, cols)
					src := randSlice(rng, (planes-1)*sp+(rows-1)*lds+cols)
					dst := randSlice(rng, (planes-1)*dp+(rows-1)*ldd+cols+3)
					want := append([]float32(nil), dst...)
					for p := 0; p < planes; p++ {
						for r := 0; r < rows; r++ {
							copy(want[p*dp+r*ldd:][:cols], src[p*sp+r*lds:][:cols])
						}
					}
					CopyPlanes(dst, ldd, dp, src, lds, sp, planes, rows, cols)
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

// TestCopyPlanesBounds checks that planes that overlap or overrun the
// slices panic with a message instead of writing out of bounds.
func TestCopyPlanesBounds(t *testing.T) {
	for _, c := range []struct{ dst, ldd, dp, src, lds, sp, planes, rows, cols int }{
		{dst: 15, ldd: 4, dp: 8, src: 16, lds: 4, sp: 8, planes: 2, rows: 2, cols: 4}, // dst one short
		{dst: 16, ldd: 4, dp: 8, src: 15, lds: 4, sp: 8, planes: 2, rows: 2, cols: 4}, // src one short
		{dst: 64, ldd: 4, dp: 7, src: 64, lds: 4, sp: 8, planes: 2, rows: 2, cols: 4}, // dst planes overlap
		{dst: 64, ldd: 5, dp: 8, src: 64, lds: 4, sp: 8, planes: 2, rows: 2, cols: 4}, // by one value
		{dst: 64, ldd: 3, dp: 8, src: 64, lds: 4, sp: 8, planes: 2, rows: 2, cols: 4}, // dst rows overlap
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v: no panic", c)
				}
			}()
			CopyPlanes(make([]float32, c.dst), c.ldd, c.dp, make([]float32, c.src), c.lds, c.sp, c.planes, c.rows, c.cols)
		}()
	}
}

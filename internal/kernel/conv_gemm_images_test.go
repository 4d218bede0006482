package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvGemmImages checks ConvGemmImages against ConvGemmCols image by
// image, on every CPU feature level: tails of 1 to 16 pixels of 1 to 8
// images, tails that cross an output row, a range inside the image, and
// offsets past ConvOffsets (a plane of ones after each image, as the
// layers' bias rows use).
func TestConvGemmImages(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	geoms := []ConvGeom{
		{C: 16, H: 14, W: 14, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 3, H: 7, W: 7, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 8, H: 9, W: 10, KH: 2, KW: 3, SH: 1, SW: 1, PadL: 2, DH: 2, DW: 1},
	}
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for gi, g := range geoms {
				hp, wp := g.Padded()
				npix := g.OutH() * g.OutW()
				for _, m := range []int{5, 16, 19} {
					for _, ne := range []int{1, 3, 8} {
						for _, cols := range [][2]int{{npix - 4, 4}, {npix - 1, 1}, {npix - 16, 16}, {3, 11}} {
							for _, bias := range []bool{false, true} {
								name := fmt.Sprintf("%s/g%d/m=%d/ne=%d/cols=%v/bias=%v", l.name, gi, m, ne, cols, bias)
								off := ConvOffsets(g)
								plane := g.C * hp * wp
								if bias {
									off = append(off, int32(plane))
									plane += hp * wp
								}
								estr := plane + 7
								xp := randSlice(rng, (ne-1)*estr+plane)
								k := len(off)
								ldw := k + 2
								w := randSlice(rng, m*ldw)
								j0, n := cols[0], cols[1]
								ldc := ne*n + 3
								c := randSlice(rng, m*ldc)
								ConvGemmImages(g, m, w, ldw, xp, estr, ne, off, j0, n, c, ldc)
								want := make([]float32, m*n)
								for e := 0; e < ne; e++ {
									ConvGemmCols(g, m, w, ldw, xp[e*estr:], off, j0, n, 0, want, n)
									for i := 0; i < m; i++ {
										for j := 0; j < n; j++ {
											got, wv := c[i*ldc+e*n+j], want[i*n+j]
											if math.Abs(float64(got-wv)) > 1e-4*(1+math.Abs(float64(wv))) {
												t.Fatalf("%s: C[%d][%d·%d+%d] = %v, want %v", name, i, e, n, j, got, wv)
											}
										}
									}
								}
							}
						}
					}
				}
			}
		})
	}
}

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestConvGemmColsOnes checks ConvGemmColsOnes against ConvGemmCols over
// the same plane of ones, bit for bit: on the unpacked path (output rows a
// multiple of 16 wide, columns from a multiple of 16), where it adds the
// bias column, and on the packed paths, which multiply it as before; for
// row counts below, at and past a tile of 8 and column ranges that start
// and end mid-tile, with sentinels around each output.
func TestConvGemmColsOnes(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 11))
	geoms := []ConvGeom{
		{C: 3, H: 32, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 5, H: 16, W: 16, KH: 5, KW: 5, SH: 1, SW: 1, PadT: 2, PadL: 2, PadB: 2, PadR: 2, DH: 1, DW: 1},
		{C: 2, H: 14, W: 14, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 1, H: 28, W: 28, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1},
	}
	for _, g := range geoms {
		_, xp := paddedImage(rng, g)
		hp, wp := g.Padded()
		xpOnes := append(xp, make([]float32, hp*wp)...)
		for i := g.C * hp * wp; i < len(xpOnes); i++ {
			xpOnes[i] = 1
		}
		off := ConvOffsets(g)
		off = append(off, int32(g.C*hp*wp))
		k, npix := len(off), g.OutH()*g.OutW()
		for _, m := range []int{1, 3, 8, 13, 32} {
			ldw := k + 2
			w := randSlice(rng, m*ldw)
			for _, r := range [][2]int{{0, npix}, {16, npix - 21}, {32, 17}, {npix - 16, 16}, {5, 40}, {48, 1}} {
				j0, n := r[0], r[1]
				if j0+n > npix {
					continue
				}
				ldc := n + 3
				want, wantWin := guarded(m*ldc, 0)
				got, gotWin := guarded(m*ldc, 0)
				ConvGemmCols(g, m, w, ldw, xpOnes, off, j0, n, 0, wantWin, ldc)
				ConvGemmColsOnes(g, m, w, ldw, xpOnes, off, j0, n, gotWin, ldc)
				name := fmt.Sprintf("%dx%dx%d k%d m %d cols [%d,%d)", g.C, g.H, g.W, g.KH, m, j0, j0+n)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: value %d is %v, ConvGemmCols gives %v", name, i-guard, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestConvGemmColsOnesPanics checks that offsets without the row of ones,
// pointing at values other than ones or past xp, panic with a message
// naming the function.
func TestConvGemmColsOnesPanics(t *testing.T) {
	g := ConvGeom{C: 3, H: 32, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}
	_, xp := paddedImage(rand.New(rand.NewPCG(1, 2)), g)
	hp, wp := g.Padded()
	xp = append(xp, make([]float32, hp*wp)...) // a plane of zeros, not ones
	off := ConvOffsets(g)
	k, npix := len(off)+1, g.OutH()*g.OutW()
	w, c := make([]float32, 8*k), make([]float32, 8*npix)
	for name, call := range map[string]func(){
		"no row of ones": func() { ConvGemmColsOnes(g, 8, w, k, xp, off, 0, npix, c, npix) },
		"zeros":          func() { ConvGemmColsOnes(g, 8, w, k, xp, append(off, int32(g.C*hp*wp)), 0, npix, c, npix) },
		"no plane":       func() { ConvGemmColsOnes(g, 8, w, k, xp[:g.C*hp*wp], append(off, int32(g.C*hp*wp)), 0, npix, c, npix) },
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, "ConvGemmColsOnes") {
					t.Errorf("%s: recovered %v, want a panic naming ConvGemmColsOnes", name, r)
				}
			}()
			call()
		}()
	}
}

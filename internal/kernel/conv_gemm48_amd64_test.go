//go:build amd64 && !noasm

package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvGemm48SameBits checks that convGemmRuns with the 48-column tiles
// gives the bits of the 32-column tiles alone: ConvGemmCols and
// ConvGemmColsOnes with tile48 on and off, for row counts below, at and
// past a tile of 8, beta 0 and not, column ranges that make every split
// into 48s and 32s and end mid-tile, and sentinels around each output.
func TestConvGemm48SameBits(t *testing.T) {
	if !hasAVX512 {
		t.Skip("no AVX-512")
	}
	defer func() { tile48 = true }()
	rng := rand.New(rand.NewPCG(8, 5))
	geoms := []ConvGeom{
		{C: 3, H: 32, W: 32, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 9, H: 16, W: 16, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1},
		{C: 2, H: 6, W: 52, KH: 5, KW: 5, SH: 1, SW: 1, DH: 1, DW: 1},
	}
	for _, g := range geoms {
		_, xp := paddedImage(rng, g)
		hp, wp := g.Padded()
		xpOnes := append(xp, make([]float32, hp*wp)...)
		for i := g.C * hp * wp; i < len(xpOnes); i++ {
			xpOnes[i] = 1
		}
		off := ConvOffsets(g)
		offOnes := append(off[:len(off):len(off)], int32(g.C*hp*wp))
		npix := g.OutH() * g.OutW()
		ranges := [][2]int{{0, npix}, {16, 48}, {32, 64}, {0, 80}, {48, 96 + 5}, {16, npix - 16}, {npix - 48, 48}}
		for _, m := range []int{3, 8, 13, 32} {
			for _, v := range []struct {
				ones bool
				beta float32
			}{{false, 0}, {true, 0}, {false, 0.5}} {
				ldw := len(offOnes) + 1
				w := randSlice(rng, m*ldw)
				for _, r := range ranges {
					j0, n := r[0], r[1]
					if j0+n > npix {
						continue
					}
					ldc := n + 7
					run := func(on bool) []float32 {
						tile48 = on
						buf, win := guarded(m*ldc, 0)
						for i := range m {
							copy(win[i*ldc:i*ldc+n], randSlice(rand.New(rand.NewPCG(uint64(i), 1)), n))
						}
						switch {
						case v.ones:
							ConvGemmColsOnes(g, m, w, ldw, xpOnes, offOnes, j0, n, win, ldc)
						default:
							ConvGemmCols(g, m, w, ldw, xp, off, j0, n, v.beta, win, ldc)
						}
						return buf
					}
					want, got := run(false), run(true)
					name := fmt.Sprintf("%dx%dx%d m %d ones %v beta %v cols [%d,%d)", g.C, g.H, g.W, m, v.ones, v.beta, j0, j0+n)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s: value %d is %v with 48-column tiles, %v without", name, i-guard, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestTiles48 checks the split of n columns into 48s and 32s: from two
// runs of 16 up, what the 48s leave is whole tiles of 32.
func TestTiles48(t *testing.T) {
	for n, want := range map[int]int{16: 0, 32: 0, 48: 48, 64: 0, 80: 48, 96: 96, 128: 96, 256: 192, 1024: 960, 1024 + 7: 960, 47: 0} {
		if got := tiles48(n); got != want {
			t.Errorf("tiles48(%d) = %d, want %d", n, got, want)
		}
		if r := n/16*16 - tiles48(n); n >= 32 && r%32 != 0 {
			t.Errorf("tiles48(%d) leaves %d columns of whole runs, not a multiple of 32", n, r)
		}
	}
}

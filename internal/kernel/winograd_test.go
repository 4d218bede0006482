package kernel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// winogradDirect is the direct convolution in float64 for a 3-channel,
// 3×3, padding-1 layer: out[f][y][x] and, in mag, the sum of the absolute
// values of its terms, the scale of its rounding error.
func winogradDirect(g ConvGeom, f int, w, b, x []float32) (out, mag []float64) {
	out = make([]float64, f*g.H*g.W)
	mag = make([]float64, len(out))
	for fi := 0; fi < f; fi++ {
		for y := 0; y < g.H; y++ {
			for xo := 0; xo < g.W; xo++ {
				var s, m float64
				if b != nil {
					s, m = float64(b[fi]), math.Abs(float64(b[fi]))
				}
				for c := 0; c < 3; c++ {
					for i := 0; i < 3; i++ {
						for j := 0; j < 3; j++ {
							yy, xx := y+i-1, xo+j-1
							if yy < 0 || yy >= g.H || xx < 0 || xx >= g.W {
								continue
							}
							t := float64(w[((fi*3+c)*3+i)*3+j]) * float64(x[(c*g.H+yy)*g.W+xx])
							s += t
							m += math.Abs(t)
						}
					}
				}
				out[(fi*g.H+y)*g.W+xo], mag[(fi*g.H+y)*g.W+xo] = s, m
			}
		}
	}
	return out, mag
}

// TestWinogradConv3 checks WinogradConv3 against the direct sum in float64,
// through the assembly kernel and through winogradBlockGo, on images of
// one and of several blocks and tile rows, with a bias and without, and
// that it writes only its tile rows.
func TestWinogradConv3(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, tc := range []struct{ h, w, f int }{{2, 32, 2}, {4, 64, 4}, {32, 32, 32}, {6, 96, 6}} {
		g := ConvGeom{C: 3, H: tc.h, W: tc.w, KH: 3, KW: 3, SH: 1, SW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, DH: 1, DW: 1}
		x := make([]float32, 3*tc.h*tc.w)
		w := make([]float32, tc.f*27)
		b := make([]float32, tc.f)
		for _, s := range [][]float32{x, w, b} {
			for i := range s {
				s[i] = 2*rng.Float32() - 1
			}
		}
		hp, wp := g.Padded()
		xp := make([]float32, 3*hp*wp)
		PadImage(g, x, xp)
		for _, bias := range [][]float32{b, nil} {
			want, mag := winogradDirect(g, tc.f, w, bias, x)
			u := make([]float32, tc.f*WinogradStride)
			WinogradFilters(w, bias, tc.f, u)
			for _, asm := range []bool{true, false} {
				if asm && !winogradFast() {
					continue
				}
				save := hasAVX512
				hasAVX512 = hasAVX512 && asm
				out := make([]float32, tc.f*tc.h*tc.w)
				for i := range out {
					out[i] = float32(math.NaN())
				}
				ty0, ty1 := 0, tc.h/2
				if tc.h >= 4 {
					ty0 = 1 // leave the first tile row to check it is not written
				}
				WinogradConv3(g, tc.f, u, xp, out, ty0, ty1, make([]float32, WinogradScratch))
				hasAVX512 = save
				for i, got := range out {
					y := i / tc.w % tc.h
					if y < 2*ty0 {
						if !math.IsNaN(float64(got)) {
							t.Fatalf("%v asm=%v: wrote output row %d, outside tile rows [%d, %d)", tc, asm, y, ty0, ty1)
						}
						continue
					}
					if d := math.Abs(float64(got) - want[i]); !(d <= 4e-7*mag[i]+1e-7) {
						t.Fatalf("%v asm=%v bias=%v: out[%d] = %g, want %g (|error| %.3g, terms' magnitude %.3g)",
							tc, asm, bias != nil, i, got, want[i], d, mag[i])
					}
				}
			}
		}
	}
}

// TestWinogradFilters checks the transformed filters against G·g·Gᵀ
// computed in float64, and the bias's place.
func TestWinogradFilters(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	w := make([]float32, 2*27)
	for i := range w {
		w[i] = 2*rng.Float32() - 1
	}
	u := make([]float32, 2*WinogradStride)
	WinogradFilters(w, []float32{0.5, -2}, 2, u)
	G := [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	for f := 0; f < 2; f++ {
		for c := 0; c < 3; c++ {
			for r := 0; r < 4; r++ {
				for j := 0; j < 4; j++ {
					var want float64
					for a := 0; a < 3; a++ {
						for k := 0; k < 3; k++ {
							want += G[r][a] * float64(w[(f*3+c)*9+3*a+k]) * G[j][k]
						}
					}
					if got := u[f*WinogradStride+12*r+3*j+c]; math.Abs(float64(got)-want) > 1e-6 {
						t.Errorf("U[%d][%d][%d][%d] = %g, want %g", f, r, j, c, got, want)
					}
				}
			}
		}
	}
	if u[48] != 0.5 || u[WinogradStride+48] != -2 {
		t.Errorf("biases %g, %g, want 0.5, -2", u[48], u[WinogradStride+48])
	}
}

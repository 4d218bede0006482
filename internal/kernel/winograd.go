package kernel

import "fmt"

// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016) for a 3×3, stride-1,
// padding-1 convolution of 3 input channels: the first layer of a CIFAR
// net. Each 2×2 block of outputs (a tile) of filter f is
//
//	Y = Aᵀ · [ Σ_c (G·g_fc·Gᵀ) ⊙ (Bᵀ·d_c·B) ] · A
//
// with d_c the 4×4 patch of padded input channel c under the tile (rows
// 2ty.., columns 2tx.. of the padded image) and g_fc the 3×3 filter, and
//
//	Bᵀ = | 1  0 -1  0 |   G = | 1    0    0  |   Aᵀ = | 1  1  1  0 |
//	     | 0  1  1  0 |       | 1/2  1/2  1/2|        | 0  1 -1 -1 |
//	     | 0 -1  1  0 |       | 1/2 -1/2  1/2|
//	     | 0  1  0 -1 |       | 0    0    1  |
//
// That is 16 multiply-adds per channel for 4 outputs where the direct sum
// takes 36, and the transforms are adds shared by all filters (Bᵀ·d·B) or
// made once a pass (G·g·Gᵀ). With 3 channels the direct product sums only
// 27 taps and the bias, and the transforms' adds run beside the
// multiply-adds: on CIFAR's first layer the forward pass goes at twice the
// rate of the best direct kernel (see nn/conv2d_winograd.go for the
// measurement). The results differ from the direct sum's by rounding:
// within 4e-7 of the sum of the terms' magnitudes (TestWinogradConv3).

// WinogradStride is the length of a filter's row in the transformed
// weights: U[r][j][c] at 12·r + 3·j + c, then the bias at 48.
const WinogradStride = 64

// WinogradApplies reports whether WinogradConv3 computes the convolution g
// with f filters: 3 input channels, a 3×3 kernel at stride 1 without
// dilation, padding 1 on every side, an even image height and a width a
// multiple of 32 (the kernel's 16 tiles), an even filter count, and a CPU
// with the assembly kernel (elsewhere the direct path is faster than
// winogradBlockGo).
func WinogradApplies(g ConvGeom, f int) bool {
	return winogradFast() && g.C == 3 && g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 &&
		g.PadT == 1 && g.PadL == 1 && g.PadB == 1 && g.PadR == 1 && g.H > 0 && g.H%2 == 0 && g.W > 0 && g.W%32 == 0 &&
		f > 0 && f%2 == 0
}

// WinogradFilters writes u (f × WinogradStride), the transformed filters
// U = G·g·Gᵀ of w (f × 3 × 3 × 3) and the bias b (f, or nil for none).
func WinogradFilters(w, b []float32, f int, u []float32) {
	if len(w) < f*27 || len(u) < f*WinogradStride || b != nil && len(b) < f {
		panic(fmt.Sprintf("kernel: WinogradFilters: %d filters need 27 weights, a bias and %d of u each; have %d, %d, %d",
			f, WinogradStride, len(w), len(b), len(u)))
	}
	for fi := 0; fi < f; fi++ {
		row := u[fi*WinogradStride : (fi+1)*WinogradStride]
		clear(row)
		for c := 0; c < 3; c++ {
			g := w[(fi*3+c)*9:][:9]
			// t = G·g (4×3), then U = t·Gᵀ (4×4).
			var t [4][3]float32
			for k := 0; k < 3; k++ {
				g0, g1, g2 := g[k], g[3+k], g[6+k]
				t[0][k] = g0
				t[1][k] = (g0 + g1 + g2) / 2
				t[2][k] = (g0 - g1 + g2) / 2
				t[3][k] = g2
			}
			for r := 0; r < 4; r++ {
				a0, a1, a2 := t[r][0], t[r][1], t[r][2]
				row[12*r+0+c] = a0
				row[12*r+3+c] = (a0 + a1 + a2) / 2
				row[12*r+6+c] = (a0 - a1 + a2) / 2
				row[12*r+9+c] = a2
			}
		}
		if b != nil {
			row[48] = b[fi]
		}
	}
}

// WinogradScratch is the length of the v argument of WinogradConv3.
const WinogradScratch = 48 * 16

// WinogradConv3 writes tile rows [ty0, ty1) (output rows 2·ty0 to 2·ty1)
// of the f output planes of one image: out (f × H·W) for the geometry g
// (WinogradApplies), from the image zero-padded for g, xp (3 × (H+2) ×
// (W+2)), and the transformed filters u (WinogradFilters). v is scratch of
// WinogradScratch floats.
func WinogradConv3(g ConvGeom, f int, u, xp, out []float32, ty0, ty1 int, v []float32) {
	hp, wp := g.Padded()
	plane := g.H * g.W
	if len(xp) < 3*hp*wp || len(out) < f*plane || len(u) < f*WinogradStride || len(v) < WinogradScratch ||
		ty0 < 0 || ty1 > g.H/2 || f%2 != 0 || g.W%32 != 0 {
		panic(fmt.Sprintf("kernel: WinogradConv3: %d filters on %dx%d, tile rows [%d, %d): xp %d, out %d, u %d, v %d",
			f, g.H, g.W, ty0, ty1, len(xp), len(out), len(u), len(v)))
	}
	for ty := ty0; ty < ty1; ty++ {
		for bx := 0; bx < g.W/32; bx++ {
			winogradBlock(xp[2*ty*wp+32*bx:], wp, hp*wp, u, f, out[2*ty*g.W+32*bx:], g.W, plane, v)
		}
	}
}

// winogradBlockGo computes one tile row's block of 16 tiles (out's 32
// columns from column 0 of rows 0 and 1) for all f filters: xp from the
// block's first padded row and column, rows ldx apart, channels cs apart;
// out's rows ldo apart and planes plane apart. The sums run in the order
// the assembly's do, without its fused multiply-adds.
func winogradBlockGo(xp []float32, ldx, cs int, u []float32, f int, out []float32, ldo, plane int, v []float32) {
	for t := 0; t < 16; t++ {
		for c := 0; c < 3; c++ {
			var w [4][4]float32 // d·B
			for i := 0; i < 4; i++ {
				d := xp[c*cs+i*ldx+2*t:][:4]
				w[i] = [4]float32{d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]}
			}
			for j := 0; j < 4; j++ {
				v[(0*12+3*j+c)*16+t] = w[0][j] - w[2][j]
				v[(1*12+3*j+c)*16+t] = w[1][j] + w[2][j]
				v[(2*12+3*j+c)*16+t] = w[2][j] - w[1][j]
				v[(3*12+3*j+c)*16+t] = w[1][j] - w[3][j]
			}
		}
	}
	for fi := 0; fi < f; fi++ {
		uf := u[fi*WinogradStride:][:WinogradStride]
		for t := 0; t < 16; t++ {
			// m(r, j) = Σ_c U[r][j][c]·V[r][j][c] for tile t.
			m := func(r, j int) float32 {
				k := 12*r + 3*j
				return uf[k]*v[k*16+t] + uf[k+1]*v[(k+1)*16+t] + uf[k+2]*v[(k+2)*16+t]
			}
			var s0, s1 [4]float32
			for j := 0; j < 4; j++ {
				s0[j] = m(0, j)
				s1[j] = m(1, j)
				if j == 1 {
					s1[j] += uf[48]
				}
				s0[j] += s1[j]
				m2 := m(2, j)
				s0[j] += m2
				s1[j] -= m2
				s1[j] -= m(3, j)
			}
			o := out[fi*plane+2*t:]
			o[0] = s0[0] + s0[1] + s0[2]
			o[1] = s0[1] - s0[2] - s0[3]
			o[ldo] = s1[0] + s1[1] + s1[2]
			o[ldo+1] = s1[1] - s1[2] - s1[3]
		}
	}
}

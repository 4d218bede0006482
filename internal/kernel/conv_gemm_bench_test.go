package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// convBenchGeoms are the stride-1 layers of `convnet bench conv`, with
// their filter counts: (C, H, W, F, K, pad), and the input gradient of
// CIFAR's first layer as a product of 3 rows.
var convBenchGeoms = [][6]int{
	{3, 32, 32, 32, 3, 1},
	{32, 32, 32, 3, 3, 1},
	{32, 32, 32, 32, 3, 1},
	{64, 16, 16, 64, 3, 1},
	{128, 8, 8, 128, 3, 1},
	{64, 56, 56, 64, 3, 1},
	{256, 14, 14, 256, 3, 1},
}

// BenchmarkConvGemm times ConvGemm, the forward product of a convolution
// with the column matrix packed straight from the padded image, beside
// Im2col and Sgemm, per example.
func BenchmarkConvGemm(b *testing.B) {
	for _, s := range convBenchGeoms {
		g := ConvGeom{C: s[0], H: s[1], W: s[2], KH: s[4], KW: s[4], SH: 1, SW: 1,
			PadT: s[5], PadL: s[5], PadB: s[5], PadR: s[5], DH: 1, DW: 1}
		f := s[3]
		rng := rand.New(rand.NewPCG(1, 1))
		x, xp := paddedImage(rng, g)
		off := ConvOffsets(g)
		kk, npix := g.ColRows(), g.OutH()*g.OutW()
		w := make([]float32, f*kk)
		for i := range w {
			w[i] = rng.Float32()
		}
		c := make([]float32, f*npix)
		col := make([]float32, kk*npix)
		flop := 2 * float64(f*kk*npix)
		name := fmt.Sprintf("%dx%dx%d-%d", g.C, g.H, g.W, f)
		b.Run("implicit/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ConvGemm(g, f, w, kk, xp, off, 0, c, npix)
			}
			b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("im2col+sgemm/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Im2col(g, x, col)
				Sgemm(false, false, f, npix, kk, 1, w, kk, col, npix, 0, c, npix)
			}
			b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

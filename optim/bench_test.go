package optim

import (
	"testing"

	"github.com/convnet/convnet/nn"
)

// BenchmarkStep times one warm Step over a million parameters, about the
// size of a small ConvNet, split over a weight and a bias.
func BenchmarkStep(b *testing.B) {
	for _, name := range Names {
		b.Run(name, func(b *testing.B) {
			const n = 1 << 20
			w, bias := nn.NewParam("w", n-1024), nn.NewParam("b", 1024)
			bias.NoDecay = true
			params := []*nn.Param{w, bias}
			for _, p := range params {
				for j := range p.Grad.Data {
					p.Grad.Data[j] = float32(j%7-3) / 100
				}
			}
			opt, err := New(name, Config{WeightDecay: 1e-4})
			if err != nil {
				b.Fatal(err)
			}
			opt.Step(params, 1e-3)
			b.ReportAllocs()
			b.SetBytes(4 * n) // parameter bytes updated per step
			b.ResetTimer()
			for b.Loop() {
				opt.Step(params, 1e-3)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mparams/s")
		})
	}
}

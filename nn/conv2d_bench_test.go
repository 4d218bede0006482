package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/cputime"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// convBenchShapes are internal/bench's conv shapes (N,C,H,W,F,K,pad).
var convBenchShapes = [][7]int{
	{64, 1, 28, 28, 6, 5, 0},
	{64, 6, 12, 12, 16, 5, 0},
	{32, 3, 32, 32, 32, 3, 1},
	{32, 32, 32, 32, 32, 3, 1},
	{32, 64, 16, 16, 64, 3, 1},
	{16, 128, 8, 8, 128, 3, 1},
	{1, 64, 56, 56, 64, 3, 1},
	{8, 256, 14, 14, 256, 3, 1},
}

// BenchmarkConv2D times Conv2D forward (fwd on the path the layer chooses,
// fwd-wide and fwd-gather on each path where OW is not a multiple of 16)
// and forward+backward (with the input gradient) on one thread, and the weight gradient alone (as for a first
// layer: wgrad on the path the layer chooses, wgrad-direct and
// wgrad-columns on each path), reporting GFLOP/s as `convnet bench conv` does:
// 2·N·F·OH·OW·C·K·K for the forward pass, three times that for both.
func BenchmarkConv2D(b *testing.B) {
	prev := kernel.Threads()
	kernel.SetThreads(1)
	defer kernel.SetThreads(prev)
	for _, s := range convBenchShapes {
		n, c, h, w, f, k, pad := s[0], s[1], s[2], s[3], s[4], s[5], s[6]
		l := NewConv2D(f, k)
		l.PadT, l.PadL, l.PadB, l.PadR = pad, pad, pad, pad
		shape, err := l.Build([][]int{{c, h, w}})
		if err != nil {
			b.Fatal(err)
		}
		l.InitParams(rand.New(rand.NewPCG(1, 1)), "relu")
		x := randTensor(rand.New(rand.NewPCG(5, 5)), n, c, h, w)
		out := tensor.New(append([]int{n}, shape...)...)
		dy := randTensor(rand.New(rand.NewPCG(6, 6)), out.Shape...)
		dx := tensor.New(x.Shape...)
		in, dIn := []*tensor.Tensor{x}, []*tensor.Tensor{dx}
		flop := 2 * float64(n*f*shape[1]*shape[2]*c*k*k)
		name := fmt.Sprintf("%d,%d,%d,%d,%d,%d,%d", n, c, h, w, f, k, pad)
		for _, path := range []struct {
			name string
			wide func(*Conv2D) bool
		}{{"fwd", wideWins}, {"fwd-wide", func(*Conv2D) bool { return true }}, {"fwd-gather", func(*Conv2D) bool { return false }}} {
			b.Run(path.name+"/"+name, func(b *testing.B) {
				prev := wideWins
				wideWins = path.wide
				defer func() { wideWins = prev }()
				b.ReportAllocs()
				cpu0 := cputime.Seconds()
				for b.Loop() {
					l.Forward(in, out, false)
				}
				reportGFLOPS(b, flop, cpu0)
			})
		}
		noDx := []*tensor.Tensor{nil}
		for _, path := range []struct {
			name   string
			direct func(*Conv2D) bool
		}{{"wgrad", wgradDirectWins}, {"wgrad-direct", func(*Conv2D) bool { return true }}, {"wgrad-columns", func(*Conv2D) bool { return false }}} {
			b.Run(path.name+"/"+name, func(b *testing.B) {
				prev := wgradDirectWins
				wgradDirectWins = path.direct
				defer func() { wgradDirectWins = prev }()
				b.ReportAllocs()
				l.Forward(in, out, true)
				cpu0 := cputime.Seconds()
				for b.Loop() {
					l.Backward(in, out, dy, noDx)
				}
				reportGFLOPS(b, flop, cpu0)
			})
		}
		b.Run("fwdbwd/"+name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Seconds()
			for b.Loop() {
				l.Forward(in, out, true)
				l.Backward(in, out, dy, dIn)
			}
			reportGFLOPS(b, 3*flop, cpu0)
		})
	}
}

// reportGFLOPS reports flop per call over the wall time and, as cpu-GFLOP/s,
// over the process's CPU time since cpu0: on a machine shared with other
// jobs, time spent descheduled inflates the first and not the second.
func reportGFLOPS(b *testing.B, flop, cpu0 float64) {
	total := flop * float64(b.N) / 1e9
	b.ReportMetric(total/b.Elapsed().Seconds(), "GFLOP/s")
	if cpu := cputime.Seconds() - cpu0; cpu > 0 {
		b.ReportMetric(total/cpu, "cpu-GFLOP/s")
	}
}

// randTensor returns a tensor of the shape with values uniform in [-1, 1).
func randTensor(rng *rand.Rand, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = 2*rng.Float32() - 1
	}
	return t
}

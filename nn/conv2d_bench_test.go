package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/cputime"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// convBenchShapes are internal/bench's conv shapes (N,C,H,W,F,K,pad), then
// the two conv layers of the LeNet-5 that `convnet train` builds (its first
// padded, so its second sees 14×14 images, not the 12×12 of the list), at
// the 32 examples of each of two threads' shards.
var convBenchShapes = [][7]int{
	{64, 1, 28, 28, 6, 5, 0},
	{64, 6, 12, 12, 16, 5, 0},
	{32, 3, 32, 32, 32, 3, 1},
	{32, 32, 32, 32, 32, 3, 1},
	{32, 64, 16, 16, 64, 3, 1},
	{16, 128, 8, 8, 128, 3, 1},
	{1, 64, 56, 56, 64, 3, 1},
	{8, 256, 14, 14, 256, 3, 1},
	{32, 6, 14, 14, 16, 5, 0},
	{32, 1, 28, 28, 6, 5, 2},
}

// BenchmarkConv2D times, on one thread, Conv2D's forward pass (fwd on the
// path the layer chooses, fwd-wide and fwd-gather on each path where OW is
// not a multiple of 16), its weight gradient alone, as for a first layer
// (wgrad, wgrad-direct, wgrad-columns likewise), and forward and backward
// with the input gradient (fwdbwd), reporting GFLOP/s as `convnet bench
// conv` does: 2·N·F·OH·OW·C·K·K for the forward pass, three times that for
// both.
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
		benchPaths(b, [3]string{"fwd", "fwd-wide", "fwd-gather"}, name, &wideWins, func(b *testing.B) {
			cpu0 := cputime.Seconds()
			for b.Loop() {
				l.Forward(in, out, false)
			}
			reportGFLOPS(b, flop, cpu0)
		})
		noDx := []*tensor.Tensor{nil}
		benchPaths(b, [3]string{"wgrad", "wgrad-direct", "wgrad-columns"}, name, &wgradDirectWins, func(b *testing.B) {
			l.Forward(in, out, true)
			cpu0 := cputime.Seconds()
			for b.Loop() {
				l.Backward(in, out, dy, noDx)
			}
			reportGFLOPS(b, flop, cpu0)
		})
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

// benchPaths runs body three times as sub-benchmarks names[i]+"/"+shape:
// with the shape rule *rule as it is, forced true, and forced false.
func benchPaths(b *testing.B, names [3]string, shape string, rule *func(*Conv2D) bool, body func(*testing.B)) {
	always := func(v bool) func(*Conv2D) bool { return func(*Conv2D) bool { return v } }
	for i, r := range []func(*Conv2D) bool{*rule, always(true), always(false)} {
		b.Run(names[i]+"/"+shape, func(b *testing.B) {
			prev := *rule
			*rule = r
			defer func() { *rule = prev }()
			b.ReportAllocs()
			body(b)
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

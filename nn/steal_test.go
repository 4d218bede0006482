package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// TestStealRangesOrder checks the order in which one worker takes units
// when the others take none: its own range from the front, then the
// others' from the back, in worker order after it.
func TestStealRangesOrder(t *testing.T) {
	var s stealRanges
	s.reset(10, 3) // [0,3) [3,6) [6,10)
	var got []int
	for u, ok := s.next(1); ok; u, ok = s.next(1) {
		got = append(got, u)
	}
	want := []int{3, 4, 5, 9, 8, 7, 6, 2, 1, 0}
	if !slices.Equal(got, want) {
		t.Errorf("worker 1 took %v, want %v", got, want)
	}
	if _, ok := s.next(0); ok {
		t.Error("worker 0 found a unit after all were taken")
	}
	s.reset(0, 2)
	if u, ok := s.next(0); ok {
		t.Errorf("no units: worker 0 took %d", u)
	}
}

// TestStealRangesConcurrent has workers of different speeds take units at
// once, and checks that every unit is handed out exactly once.
func TestStealRangesConcurrent(t *testing.T) {
	var s stealRanges
	for _, c := range []struct{ n, k int }{{1000, 2}, {999, 3}, {5, 4}, {3, 8}} {
		s.reset(c.n, c.k)
		taken := make([][]int, c.k)
		var wg sync.WaitGroup
		for w := range c.k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for u, ok := s.next(w); ok; u, ok = s.next(w) {
					taken[w] = append(taken[w], u)
					for range w * 200 { // the later workers are slower
						_ = math.Sqrt(float64(u))
					}
				}
			}()
		}
		wg.Wait()
		var all []int
		for _, ts := range taken {
			all = append(all, ts...)
		}
		slices.Sort(all)
		for i, u := range all {
			if u != i {
				t.Fatalf("n=%d k=%d: units handed out %v, want each of 0..%d once", c.n, c.k, all, c.n-1)
			}
		}
		if len(all) != c.n {
			t.Fatalf("n=%d k=%d: %d units handed out", c.n, c.k, len(all))
		}
	}
}

// TestConv2DStealSameBits checks that handing the per-unit loops' units out
// (stealRanges) gives the bits of the static split, at 2 and 3 threads,
// whole examples, parts of one and the shared-tail paths' blocks (14×14).
func TestConv2DStealSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ n, ch, hw, f int }{{7, 16, 12, 24}, {1, 32, 48, 32}, {5, 8, 16, 40}, {7, 16, 14, 24}} {
		l := NewConv2D(c.f, 3)
		l.PadT, l.PadL, l.PadB, l.PadR = 1, 1, 1, 1
		shape, err := l.Build([][]int{{c.ch, c.hw, c.hw}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Params() {
			for i := range p.Value.Data {
				p.Value.Data[i] = 2*rng.Float32() - 1
			}
		}
		x := randTensor(rng, c.n, c.ch, c.hw, c.hw)
		dy := randTensor(rng, append([]int{c.n}, shape...)...)
		run := func(steal bool) (out, dx []float32) {
			stealEnabled = steal
			defer func() { stealEnabled = true }()
			o := tensor.New(append([]int{c.n}, shape...)...)
			d := tensor.New(x.Shape...)
			l.Forward([]*tensor.Tensor{x}, o, true)
			l.Backward([]*tensor.Tensor{x}, o, dy, []*tensor.Tensor{d})
			return o.Data, d.Data
		}
		for _, threads := range []int{2, 3} {
			withThreads(threads, func() {
				wantOut, wantDx := run(false)
				for range 5 {
					out, dx := run(true)
					name := fmt.Sprintf("%d×%d×%d×%d, %d filters, %d threads", c.n, c.ch, c.hw, c.hw, c.f, threads)
					if !slices.Equal(out, wantOut) {
						t.Fatalf("%s: output differs with units handed out", name)
					}
					if !slices.Equal(dx, wantDx) {
						t.Fatalf("%s: input gradient differs with units handed out", name)
					}
				}
			})
		}
	}
}

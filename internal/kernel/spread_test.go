package kernel

import (
	"slices"
	"sync/atomic"
	"testing"
)

// TestSpans checks that Spans covers each range of arrays laid end to end
// exactly, skipping empty arrays, for every range of a small layout.
func TestSpans(t *testing.T) {
	sizes := []int{3, 0, 5, 1, 4}
	var ends []int
	total := 0
	for _, s := range sizes {
		total += s
		ends = append(ends, total)
	}
	for lo := 0; lo <= total; lo++ {
		for hi := lo; hi <= total; hi++ {
			var got [][3]int
			Spans(ends, lo, hi, func(i, a, b int) { got = append(got, [3]int{i, a, b}) })
			var want [][3]int
			start := 0
			for i, s := range sizes {
				a, b := max(lo, start)-start, min(hi, start+s)-start
				if a < b {
					want = append(want, [3]int{i, a, b})
				}
				start += s
			}
			if !slices.Equal(got, want) {
				t.Fatalf("[%d, %d): %v, want %v", lo, hi, got, want)
			}
		}
	}
}

// countTask records how many chunks ran and which items they covered
// (chunks cover disjoint items, so seen needs no lock).
type countTask struct {
	chunks atomic.Int32
	seen   []int
}

func (c *countTask) Run(_, lo, hi int) {
	c.chunks.Add(1)
	for i := lo; i < hi; i++ {
		c.seen[i]++
	}
}

// TestSpread checks that Spread runs a loop under SpreadMin elements in one
// chunk and a larger one over the threads, each unit once.
func TestSpread(t *testing.T) {
	prev := Threads()
	SetThreads(2)
	defer SetThreads(prev)
	for _, c := range []struct {
		size   int
		chunks int32
	}{{SpreadMin - 1, 1}, {SpreadMin, 2}} {
		task := &countTask{seen: make([]int, 10)}
		Spread(c.size, 10, task)
		if got := task.chunks.Load(); got != c.chunks {
			t.Errorf("size %d: %d chunks, want %d", c.size, got, c.chunks)
		}
		for i, n := range task.seen {
			if n != 1 {
				t.Fatalf("size %d: unit %d ran %d times", c.size, i, n)
			}
		}
	}
}

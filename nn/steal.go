package nn

import "sync/atomic"

// stealRanges hands out the units of one parallel pass so that a worker
// that runs out of its own takes the others' instead of waiting for them.
// Worker w starts on [w·n/k, (w+1)·n/k), the range kernel.Parallel gives it,
// taking units from the front; when that is empty it takes from the back
// of the others' ranges. Only work whose result does not depend on which
// worker does it may be handed out this way (a unit's own output, not a
// per-worker partial sum), so the bits stay those of a static split.
//
// Static chunks left the first worker to finish polling for the other's
// at the end of each parallel loop: on 8×256×14×14 at 2 threads about 4%
// of the forward and backward pass's CPU time went to it, and which chunk
// finished first changed from pass to pass.
type stealRanges struct {
	slots []stealSlot
}

// stealSlot is one worker's remaining range, lo in the low 32 bits and hi
// in the high ones, alone on its cache line.
type stealSlot struct {
	r atomic.Uint64
	_ [56]byte
}

func packRange(lo, hi int) uint64 { return uint64(uint32(lo)) | uint64(hi)<<32 }

func unpackRange(v uint64) (lo, hi int) { return int(uint32(v)), int(v >> 32) }

// reset splits units [0, n) over k workers as kernel.Parallel does. Call it
// before the parallel loop, not from inside. A range packs into 64 bits, so
// n must be below 2³² (a conv layer's units are its batch's examples or
// parts of them).
func (s *stealRanges) reset(n, k int) {
	if n < 0 || uint64(n) >= 1<<32 {
		panic("nn: stealRanges: unit count out of range")
	}
	if len(s.slots) < k {
		s.slots = make([]stealSlot, k)
	}
	s.slots = s.slots[:k]
	for w := range s.slots {
		s.slots[w].r.Store(packRange(w*n/k, (w+1)*n/k))
	}
}

// next returns a unit for worker w, its own front one while it has any,
// else the last one of another worker's range, and false when none is
// left.
func (s *stealRanges) next(w int) (int, bool) {
	if u, ok := s.slots[w].pop(false); ok || !stealEnabled {
		return u, ok
	}
	for i := 1; i < len(s.slots); i++ {
		if u, ok := s.slots[(w+i)%len(s.slots)].pop(true); ok {
			return u, true
		}
	}
	return 0, false
}

// pop takes the first unit of the range, or with back its last.
func (s *stealSlot) pop(back bool) (int, bool) {
	for {
		v := s.r.Load()
		lo, hi := unpackRange(v)
		if lo >= hi {
			return 0, false
		}
		u, rest := lo, packRange(lo+1, hi)
		if back {
			u, rest = hi-1, packRange(lo, hi-1)
		}
		if s.r.CompareAndSwap(v, rest) {
			return u, true
		}
	}
}

// stealEnabled is false only in tests: each worker then takes its own
// range alone, the static split, to check that stealing keeps its bits.
var stealEnabled = true

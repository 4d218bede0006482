package bench

import (
	"testing"
	"time"
)

// TestMeasureFresh checks measureFresh's protocol: one fresh instance per
// repeat, each warmed up (two calls at least) and then timed, all built
// before the median is taken, and a positive time.
func TestMeasureFresh(t *testing.T) {
	o := Options{Threads: 1, Time: 20 * time.Millisecond, Repeats: 3}
	var calls []int
	sec := measureFresh(o, func() func() {
		i := len(calls)
		calls = append(calls, 0)
		return func() {
			calls[i]++
			time.Sleep(50 * time.Microsecond)
		}
	})
	if len(calls) != o.Repeats {
		t.Fatalf("%d instances built, want %d", len(calls), o.Repeats)
	}
	for i, n := range calls {
		if n < 3 {
			t.Errorf("instance %d called %d times, want 2 warm-up calls and at least one timed", i, n)
		}
	}
	if !(sec >= 50e-6) {
		t.Errorf("%g s a call, want at least the 50 µs each call sleeps", sec)
	}
}

package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

type reuseProbe struct{ holders atomic.Int32 }

// TestReuseExclusive: goroutines getting and putting at once never hold
// the same object, though an object may be in the pool and the list at
// once.
func TestReuseExclusive(t *testing.T) {
	var r reuse[reuseProbe]
	var wg sync.WaitGroup
	var clash atomic.Bool
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				e := r.get()
				if e.v.holders.Add(1) != 1 {
					clash.Store(true)
				}
				if i%1000 == 0 {
					runtime.GC() // empties the pool: gets go to the list
				}
				e.v.holders.Add(-1)
				r.put(e)
			}
		}()
	}
	wg.Wait()
	if clash.Load() {
		t.Fatal("two goroutines held the same object")
	}
}

// TestReuseAfterGC: once made, objects come back, and no new ones are
// made, after garbage collections have emptied the pool.
func TestReuseAfterGC(t *testing.T) {
	var r reuse[reuseProbe]
	for i := 0; i < 50; i++ {
		x, y := r.get(), r.get()
		r.put(y)
		r.put(x)
		runtime.GC() // twice: the pool's victim cache survives one
		runtime.GC()
	}
	if r.made != 2 {
		t.Fatalf("%d objects made for 2 held at a time, want 2", r.made)
	}
}

//go:build !race

package serve

import (
	"math"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// TestInferBytesBoundsAllocation (not under -race, whose sync.Pool drops
// what it holds, so warm buffers are allocated again) checks the reservation against what a
// large request really allocates: its body, tensor and reply fit in
// inferBytes of its body size (plus a little for the request's fixed
// costs).
func TestInferBytesBoundsAllocation(t *testing.T) {
	const examples = 64
	body := inferBody("input", randomInput(5, examples), examples)
	s := New(testModel(t), Options{Name: "m", MaxBody: int64(len(body))})
	defer s.Close()
	h := s.Handler()
	serve := func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/v2/models/m/infer", strings.NewReader(string(body))))
		if w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	serve() // warm: the batcher's buffers
	got := int64(math.MaxInt64)
	for range 3 { // the least of three: other goroutines allocate too
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		serve()
		runtime.ReadMemStats(&m1)
		got = min(got, int64(m1.TotalAlloc-m0.TotalAlloc))
	}
	// The request's own copy of the body (strings.NewReader above) and the
	// recorder's copy of the reply are the test's, not the server's.
	limit := 2*int64(len(body)) + s.inferBytes(int64(len(body))) + 64<<10
	if got > limit {
		t.Errorf("one request of %d bytes allocated %d bytes; the reservation bound allows %d", len(body), got, limit)
	}
	t.Logf("body %d bytes, allocated %d, reserved %d", len(body), got, s.inferBytes(int64(len(body))))
}

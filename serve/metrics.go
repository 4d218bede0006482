package serve

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// metrics holds what GET /metrics reports, in the Prometheus text
// exposition format (version 0.0.4): requests by status code, a request
// latency histogram, a batch-size histogram and the requests in flight.
type metrics struct {
	mu       sync.Mutex
	codes    map[int]uint64
	latency  histogram
	batches  histogram
	inFlight int64
	budget   *budget
}

type histogram struct {
	bounds []float64 // upper bounds, ascending; +Inf is implied
	counts []uint64  // per bucket, not cumulative; len(bounds)+1
	sum    float64
	n      uint64
}

func newHistogram(bounds ...float64) histogram {
	return histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v) // first bound >= v
	h.counts[i]++
	h.sum += v
	h.n++
}

func (h *histogram) write(w io.Writer, name, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", name, strconv.FormatFloat(b, 'g', -1, 64), cum)
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %s\n%s_count %d\n", name, h.n, name, strconv.FormatFloat(h.sum, 'g', -1, 64), name, h.n)
}

func newMetrics(maxBatch int, b *budget) *metrics {
	var sizes []float64
	for b := 1; b < maxBatch; b *= 2 {
		sizes = append(sizes, float64(b))
	}
	sizes = append(sizes, float64(maxBatch))
	return &metrics{
		codes:   map[int]uint64{},
		latency: newHistogram(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
		batches: newHistogram(sizes...),
		budget:  b,
	}
}

func (m *metrics) observeBatch(n int) {
	m.mu.Lock()
	m.batches.observe(float64(n))
	m.mu.Unlock()
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// instrument counts every request by status code, times it and tracks the
// requests in flight.
func (m *metrics) instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.mu.Lock()
		m.inFlight++
		m.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			m.mu.Lock()
			m.inFlight--
			m.codes[code]++
			m.latency.observe(time.Since(start).Seconds())
			m.mu.Unlock()
		}()
		h.ServeHTTP(sw, r)
	})
}

func (m *metrics) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(w, "# HELP convnet_requests_total HTTP requests answered, by status code.\n# TYPE convnet_requests_total counter\n")
	codes := make([]int, 0, len(m.codes))
	for c := range m.codes {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "convnet_requests_total{code=\"%d\"} %d\n", c, m.codes[c])
	}
	m.latency.write(w, "convnet_request_duration_seconds", "Time from a request's arrival to its reply.")
	m.batches.write(w, "convnet_batch_size", "Examples per forward pass of the model.")
	// The metrics request itself is in flight while it is written.
	fmt.Fprintf(w, "# HELP convnet_inflight_requests Requests being handled.\n# TYPE convnet_inflight_requests gauge\nconvnet_inflight_requests %d\n", m.inFlight)
	used, peak := m.budget.inUse()
	fmt.Fprintf(w, "# HELP convnet_inflight_bytes Bytes reserved by requests in flight (bodies, tensors, replies).\n# TYPE convnet_inflight_bytes gauge\nconvnet_inflight_bytes %d\n", used)
	fmt.Fprintf(w, "# HELP convnet_inflight_bytes_peak The most bytes requests have held at once.\n# TYPE convnet_inflight_bytes_peak gauge\nconvnet_inflight_bytes_peak %d\n", peak)
	fmt.Fprintf(w, "# HELP convnet_inflight_bytes_limit The cap on convnet_inflight_bytes (--max-inflight-bytes).\n# TYPE convnet_inflight_bytes_limit gauge\nconvnet_inflight_bytes_limit %d\n", m.budget.limit)
}

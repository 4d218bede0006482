package loadtest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/serve"
)

// TestSmoke is the load test's short mode: a few clients for a second
// against an in-process server, with no errors allowed. No throughput
// threshold: the machine may be busy.
func TestSmoke(t *testing.T) {
	m, err := nn.NewModel("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)",
		[]int{1, 28, 28}, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(1)
	s := serve.New(&serve.Model{Model: m, InputName: "input", OutputName: m.Graph.Output().Name}, serve.Options{Name: "lenet"})
	ts := httptest.NewServer(s.Handler())
	defer func() { ts.Close(); s.Close() }()
	res, err := Run(context.Background(), Config{URL: ts.URL, Model: "lenet", Clients: 8, Duration: time.Second, Bodies: 8})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Requests == 0 {
		t.Fatalf("%d requests, %d errors: %v", res.Requests, res.Errors, res.Samples)
	}
	if !(res.P50ms <= res.P99ms && res.P99ms <= res.MaxMs) {
		t.Errorf("percentiles out of order: %+v", res)
	}
	t.Logf("%d requests in %.1fs: %.0f/s, p50 %.2f ms, p99 %.2f ms", res.Requests, res.Seconds, res.PerSecond, res.P50ms, res.P99ms)
}

// TestErrorsAndClosedConnections: the clients count a reply other than a
// 200 with outputs as an error, and dial again when the server closes the
// connection after a reply.
func TestErrorsAndClosedConnections(t *testing.T) {
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" {
			io.WriteString(w, `{"inputs":[{"name":"x","shape":[-1,3]}]}`)
			return
		}
		io.Copy(io.Discard, r.Body)
		switch n.Add(1) % 3 {
		case 0:
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":"busy"}`)
		case 1:
			w.Header().Set("Connection", "close")
			io.WriteString(w, `{"outputs":[]}`)
		default:
			io.WriteString(w, `{"outputs":[]}`)
		}
	}))
	defer ts.Close()
	res, err := Run(context.Background(), Config{URL: ts.URL, Model: "m", Clients: 2, Duration: 300 * time.Millisecond, Bodies: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 3 || res.Errors == 0 || res.Errors >= res.Requests || len(res.Samples) == 0 || !strings.Contains(res.Samples[0], "status 503") {
		t.Fatalf("%d requests, %d errors, samples %q", res.Requests, res.Errors, res.Samples)
	}
}

package serve

import (
	"fmt"

	"bytes"
	"github.com/convnet/convnet/tensor"
	"net/http/httptest"
	"testing"
)

// BenchmarkParseInferRequest parses a one-image LeNet-5 request.
func BenchmarkParseInferRequest(b *testing.B) {
	body := inferBody("input", randomInput(1, 1), 1)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for range b.N {
		if _, _, _, _, err := ParseInferRequest(body, "input", []int{1, 28, 28}, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInfer runs one-image requests through the handler (no network).
func BenchmarkInfer(b *testing.B) {
	s := New(testModel(b), Options{Name: "m", MaxBatch: 1})
	defer s.Close()
	h := s.Handler()
	body := inferBody("input", randomInput(1, 1), 1)
	b.ReportAllocs()
	for range b.N {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/v2/models/m/infer", bytes.NewReader(body)))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkForward times LeNet-5's forward pass alone at the batch sizes
// the server runs, in images/s: the most batching can gain when requests
// cost nothing else.
func BenchmarkForward(b *testing.B) {
	for _, n := range []int{1, 4, 32} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			m := testModel(b)
			x := tensor.FromData(randomInput(1, n), n, 1, 28, 28)
			m.Graph.Forward(x, false)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				m.Graph.Forward(x, false)
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

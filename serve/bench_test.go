package serve

import (
	"bytes"
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

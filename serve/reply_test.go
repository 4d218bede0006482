package serve

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAppendInferResponse holds the hand-written encoder to json.Marshal,
// the reference, over names that need escaping and values of every
// magnitude and form.
func TestAppendInferResponse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-6, 9.999999e-7, 1e21, 9.99999e20, math.MaxFloat32,
		-math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-7, 1e-10, 1e-38, 123456.79, 0.1}
	names := []string{"", "x", "a b", `q"uote`, `back\slash`, "<html>&", "tab\t", "é", "\u2028", "\xff", "model-1.onnx"}
	for i := range 2000 {
		data := make([]float32, r.IntN(20))
		for j := range data {
			switch r.IntN(4) {
			case 0:
				data[j] = special[r.IntN(len(special))]
			case 1:
				data[j] = float32(r.NormFloat64())
			case 2:
				data[j] = math.Float32frombits(r.Uint32()) // any bits, NaN aside below
			default:
				data[j] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(80)-40)))
			}
			if v := float64(data[j]); math.IsNaN(v) || math.IsInf(v, 0) {
				data[j] = 0
			}
		}
		resp := &inferResponse{ModelName: names[i%len(names)], ModelVersion: names[(i/3)%len(names)], ID: names[(i/7)%len(names)],
			Outputs: []responseOutput{{Name: names[(i/11)%len(names)], Datatype: "FP32", Shape: []int{r.IntN(5), len(data)}, Data: data}}}
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendInferResponse(nil, resp)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("appendInferResponse:\n%s (%v)\njson.Marshal:\n%s", got, err, want)
		}
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		resp := &inferResponse{ModelName: "m", Outputs: []responseOutput{{Name: "y", Datatype: "FP32", Shape: []int{1, 2}, Data: []float32{1, bad}}}}
		if _, err := appendInferResponse(nil, resp); err == nil {
			t.Errorf("%v encoded without an error", bad)
		}
	}
}

func BenchmarkInferResponse(b *testing.B) {
	resp := &inferResponse{ModelName: "lenet", ModelVersion: "1", ID: "t",
		Outputs: []responseOutput{{Name: "dense3", Datatype: "FP32", Shape: []int{1, 10}, Data: randomInput(1, 1)[:10]}}}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for range b.N {
			buf, _ = appendInferResponse(buf[:0], resp)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			json.Marshal(resp)
		}
	})
}

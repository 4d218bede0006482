package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/internal/bench"
)

func TestReportRatiosAndTargets(t *testing.T) {
	r := func(engine string, res bench.Result) line { return line{engine: engine, Result: res} }
	lines := []line{
		r("convnet", bench.Result{Bench: "lenet-train", Threads: 1, Batch: 64, ImagesPerS: 20000}),
		r("torch", bench.Result{Bench: "lenet-train", Threads: 1, Batch: 64, ImagesPerS: 8000}),
		r("convnet", bench.Result{Bench: "lenet-train", Threads: 2, Batch: 64, ImagesPerS: 30000}),
		r("convnet", bench.Result{Bench: "lenet-latency", Threads: 1, Batch: 1, US: 30}),
		r("onnxruntime", bench.Result{Bench: "lenet-latency", Threads: 1, Batch: 1, US: 45}),
		// Two rounds: the median of three values is kept.
		r("convnet", bench.Result{Bench: "act", Threads: 1, Act: "relu", Dir: "forward", N: 16 << 20, NsPerElem: 0.5}),
		r("convnet", bench.Result{Bench: "act", Threads: 1, Act: "relu", Dir: "forward", N: 16 << 20, NsPerElem: 0.3}),
		r("convnet", bench.Result{Bench: "act", Threads: 1, Act: "relu", Dir: "forward", N: 16 << 20, NsPerElem: 9}),
		r("convnet", bench.Result{Bench: "peak", Threads: 1, CPU: "Test CPU (family 1, model 2)", GFLOPS: 200, AVX2GFLOPS: 100, GBPS: 20, SgemmGFLOPS: 150}),
		r("convnet", bench.Result{Bench: "conv", Threads: 1, Shape: "8,256,14,14,256,3,1", FwdGFLOPS: 180, FwdBwdGFLOPS: 160}),
		// At 2 threads the AVX2 loop reaches the widest peak: no share of it is shown.
		r("convnet", bench.Result{Bench: "peak", Threads: 2, GFLOPS: 400, AVX2GFLOPS: 390, GBPS: 40, SgemmGFLOPS: 300}),
		r("convnet", bench.Result{Bench: "conv", Threads: 2, Shape: "8,256,14,14,256,3,1", FwdGFLOPS: 360, FwdBwdGFLOPS: 360}),
	}
	rp := newReport(lines, []int{1, 2})
	if got := rp.machine(); got != "Test CPU (family 1, model 2)" {
		t.Errorf("machine %q, want the CPU of convnet's peak line", got)
	}
	if got := rp.ratio(rowKey{"lenet-train", "batch 64", "images_per_s", 1}, "torch"); got != 2.5 {
		t.Errorf("lenet-train ratio %v, want 2.5", got)
	}
	if got := rp.ratio(rowKey{"lenet-latency", "batch 1", "us", 1}, "onnxruntime"); got != 1.5 {
		t.Errorf("latency ratio %v, want 1.5 (ORT's time over convnet's)", got)
	}
	if got := rp.get("convnet", "act", "relu forward 16Mi", "ns_per_elem", 1); got != 0.5 {
		t.Errorf("median %v, want 0.5", got)
	}
	verdicts := map[string]string{}
	for _, tg := range rp.targets() {
		verdicts[tg.goal+" @"+string(rune('0'+tg.threads))] = verdict(tg) + " " + tg.got
	}
	for goal, want := range map[string]string{
		"LeNet-5 training >= 2x PyTorch @1":                      "met 2.50x",
		"LeNet-5 latency, batch 1 <= ONNX Runtime's @1":          "met 1.50x",
		"conv fwd+bwd 8,256,14,14,256,3,1 >= 85% of FMA peak @1": "MISSED 80.0% (160% of AVX2's)",
		"conv fwd+bwd 8,256,14,14,256,3,1 >= 85% of FMA peak @2": "met 90.0%",
		"ReLU forward 16Mi >= 70% of triad bandwidth @1":         "met 80%",
		"LeNet-5 training 2 threads / 1 thread >= 1.7x @2":       "MISSED 1.50x (PyTorch 0.00x)",
		"cifarnet training >= 1.2x PyTorch @1":                   "not measured 0.00x",
	} {
		if verdicts[goal] != want {
			t.Errorf("%s: %q, want %q", goal, verdicts[goal], want)
		}
	}
}

func TestReplaceSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.md")
	os.WriteFile(path, []byte("# B\n\n<!-- sidebyside:begin -->\nold\n<!-- sidebyside:end -->\ntail\n"), 0o644)
	if err := replaceSection(path, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := "# B\n\n<!-- sidebyside:begin -->\nnew\n<!-- sidebyside:end -->\ntail\n"; string(got) != want {
		t.Errorf("got %q", got)
	}
	os.WriteFile(path, []byte("no markers"), 0o644)
	if err := replaceSection(path, nil); err == nil || !strings.Contains(err.Error(), "sidebyside:begin") {
		t.Errorf("no markers: %v", err)
	}
	var b bytes.Buffer
	newReport(nil, []int{1}).writeText(&b)
	if !strings.Contains(b.String(), "not measured") {
		t.Errorf("empty report: %s", b.String())
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/internal/bench"
)

// TestBenchPrintsJSONLines runs quick benchmarks and checks that every JSON
// line parses and carries its figure. It checks no timings: the machine may
// be busy.
func TestBenchPrintsJSONLines(t *testing.T) {
	code, out, errOut := cli(t, "bench", "peak", "act", "lenet-latency", "--time", "10ms", "--repeats", "3", "--threads", "1,2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	jsonPart, table, ok := strings.Cut(out, "\n\n")
	if !ok || !strings.Contains(table, "ns/elem") {
		t.Fatalf("no table after the JSON lines:\n%s", out)
	}
	count := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(jsonPart), "\n") {
		var r bench.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if r.Threads != 1 && r.Threads != 2 {
			t.Errorf("%q: threads %d", line, r.Threads)
		}
		var fig float64
		switch r.Bench {
		case "peak":
			fig = min(r.GFLOPS, r.GBPS, r.SgemmGFLOPS)
			if r.ISA == "avx512" && !(r.AVX2GFLOPS > 0) {
				t.Errorf("%q: an AVX-512 peak without the AVX2 loop's", line)
			}
		case "act":
			fig = r.NsPerElem
		case "lenet-latency":
			fig = r.US
		}
		if !(fig > 0) {
			t.Errorf("%q: no positive figure", line)
		}
		count[r.Bench]++
	}
	want := map[string]int{"peak": 2, "act": 2 * 2 * 2 * len(bench.ActKinds), "lenet-latency": 2}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d lines, want %d", k, count[k], n)
		}
	}
}

func TestBenchEveryNameRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every model once")
	}
	for _, b := range bench.All {
		if b.Name == "peak" || b.Name == "act" || b.Name == "conv" {
			continue // peak and act run above; conv's large shapes take seconds
		}
		rs := bench.Run(b, bench.Options{Threads: 1, Time: 1, Repeats: 1})
		if len(rs) != 1 || rs[0].Bench != b.Name || !(rs[0].ImagesPerS > 0) {
			t.Errorf("%s: %+v", b.Name, rs)
		}
	}
}

func TestBenchLeNetONNX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lenet.onnx")
	if code, _, errOut := cli(t, "bench", "--lenet-onnx", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < 10000 {
		t.Fatalf("lenet.onnx: %v", err)
	}
}

func TestBenchBadInput(t *testing.T) {
	for _, args := range [][]string{{"bench", "nosuch"}, {"bench", "peak", "--threads", "0"}, {"bench", "--time", "-1s"}} {
		if code, _, errOut := cli(t, args...); code != 2 || !strings.Contains(errOut, "convnet bench:") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

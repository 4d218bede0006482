package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/convnet/convnet/internal/bench"
	"github.com/convnet/convnet/onnx"
)

func runBench(args []string, stdout, stderr io.Writer) error {
	var names []string
	for _, b := range bench.All {
		names = append(names, fmt.Sprintf("  %-15s %s", b.Name, b.Doc))
	}
	fs := newFlags("bench", "[NAME...] [--threads T] [--time D]",
		"Measures the engine: prints one JSON object per line per figure, then a table.\n"+
			"With no names it runs them all. Names:\n"+strings.Join(names, "\n")+"\n\n"+
			"bench/sidebyside runs these beside PyTorch and ONNX Runtime and prints the ratios.", stdout)
	threads := fs.String("threads", strconv.Itoa(runtime.NumCPU()), "thread counts, one or a comma-separated list (1,2)")
	timePer := fs.Duration("time", time.Second, "time spent timing each figure, after a warm-up of a quarter of it")
	repeats := fs.Int("repeats", 5, "timed repeats per figure, each on a fresh model or layer for conv and the models; the median is reported")
	noTable := fs.Bool("json", false, "print only the JSON lines, no table")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof reads it)")
	lenetONNX := fs.String("lenet-onnx", "", "write the LeNet-5 of lenet-infer (seed 1) to this ONNX file and exit")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *lenetONNX != "" {
		return onnx.SaveModel(*lenetONNX, bench.NewLeNet5())
	}
	var ts []int
	for _, f := range strings.Split(*threads, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || t < 1 {
			return usageError{fmt.Sprintf("--threads %q: want positive whole numbers, e.g. 2 or 1,2", *threads)}
		}
		ts = append(ts, t)
	}
	if *timePer <= 0 || *repeats < 1 {
		return usageError{"--time and --repeats must be positive"}
	}
	var todo []bench.Benchmark
	for _, name := range pos {
		b, ok := bench.Lookup(name)
		if !ok {
			return usageError{fmt.Sprintf("unknown benchmark %q (run 'convnet bench --help' for the names)", name)}
		}
		todo = append(todo, b)
	}
	if len(todo) == 0 {
		todo = bench.All
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var all []bench.Result
	enc := json.NewEncoder(stdout)
	for _, b := range todo {
		for _, t := range ts {
			for _, r := range bench.Run(b, bench.Options{Threads: t, Time: *timePer, Repeats: *repeats}) {
				if err := enc.Encode(r); err != nil {
					return err
				}
				all = append(all, r)
			}
		}
	}
	if !*noTable {
		fmt.Fprintln(stdout)
		writeBenchTable(stdout, all)
	}
	return nil
}

// writeBenchTable prints the results as an aligned table, one figure a row.
func writeBenchTable(w io.Writer, rs []bench.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "bench\tthreads\tcase\tfigure\t")
	for _, r := range rs {
		var what, fig string
		switch r.Bench {
		case "peak":
			what = r.ISA
			fig = fmt.Sprintf("%.1f GFLOP/s FMA, %.1f GB/s triad, %.1f GFLOP/s sgemm", r.GFLOPS, r.GBPS, r.SgemmGFLOPS)
			if r.AVX2GFLOPS > 0 {
				fig += fmt.Sprintf("; AVX2 FMA %.1f GFLOP/s", r.AVX2GFLOPS)
			}
		case "conv":
			what = r.Shape
			fig = fmt.Sprintf("fwd %.1f, fwd+bwd %.1f GFLOP/s", r.FwdGFLOPS, r.FwdBwdGFLOPS)
		case "act":
			what = fmt.Sprintf("%s %s %s", r.Act, r.Dir, sizeName(r.N))
			fig = fmt.Sprintf("%.3f ns/elem", r.NsPerElem)
		case "lenet-latency":
			what = "batch 1"
			fig = fmt.Sprintf("%.1f us", r.US)
		default:
			what = fmt.Sprintf("batch %d", r.Batch)
			fig = fmt.Sprintf("%.0f images/s", r.ImagesPerS)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", r.Bench, r.Threads, what, fig)
	}
	tw.Flush()
}

// sizeName writes element counts as 64Ki or 16Mi.
func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMi", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKi", n>>10)
	}
	return strconv.Itoa(n)
}

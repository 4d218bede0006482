package main

import (
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/convnet/convnet/internal/bench"
)

// metric is one number of a result line.
type metric struct {
	name   string
	value  float64
	higher bool // higher is better (a rate), else lower (a time)
}

// metrics lists the figures of a result.
func metrics(r bench.Result) []metric {
	switch r.Bench {
	case "peak":
		var ms []metric
		if r.GFLOPS > 0 {
			ms = append(ms, metric{"fma_gflops", r.GFLOPS, true})
		}
		if r.AVX2GFLOPS > 0 {
			ms = append(ms, metric{"fma_avx2_gflops", r.AVX2GFLOPS, true})
		}
		return append(ms, metric{"triad_gbps", r.GBPS, true}, metric{"sgemm1024_gflops", r.SgemmGFLOPS, true})
	case "conv":
		return []metric{{"fwd_gflops", r.FwdGFLOPS, true}, {"fwdbwd_gflops", r.FwdBwdGFLOPS, true}}
	case "act":
		return []metric{{"ns_per_elem", r.NsPerElem, false}}
	case "lenet-latency":
		return []metric{{"us", r.US, false}}
	}
	return []metric{{"images_per_s", r.ImagesPerS, true}}
}

// caseOf names what a result measured within its benchmark.
func caseOf(r bench.Result) string {
	switch r.Bench {
	case "conv":
		return r.Shape
	case "act":
		return fmt.Sprintf("%s %s %s", r.Act, r.Dir, sizeName(r.N))
	}
	if r.Batch > 0 {
		return fmt.Sprintf("batch %d", r.Batch)
	}
	return ""
}

func sizeName(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%dMi", n>>20)
	}
	return fmt.Sprintf("%dKi", n>>10)
}

type rowKey struct {
	bench, cas, metric string
	threads            int
}

// report holds the medians of every figure per engine.
type report struct {
	cpu     string // the machine, from convnet's peak lines (bench.CPUName)
	threads []int
	rows    []rowKey // in order of first appearance
	higher  map[rowKey]bool
	vals    map[rowKey]map[string][]float64
}

func newReport(lines []line, threads []int) *report {
	rp := &report{threads: threads, higher: map[rowKey]bool{}, vals: map[rowKey]map[string][]float64{}}
	for _, l := range lines {
		if l.engine == "convnet" && l.CPU != "" && rp.cpu == "" {
			rp.cpu = l.CPU
		}
		for _, m := range metrics(l.Result) {
			k := rowKey{l.Bench, caseOf(l.Result), m.name, l.Threads}
			if rp.vals[k] == nil {
				rp.vals[k] = map[string][]float64{}
				rp.rows = append(rp.rows, k)
				rp.higher[k] = m.higher
			}
			rp.vals[k][l.engine] = append(rp.vals[k][l.engine], m.value)
		}
	}
	// Rows of one benchmark, case and figure sit together, threads ascending.
	slices.SortStableFunc(rp.rows, func(a, b rowKey) int {
		ia := slices.IndexFunc(rp.rows, func(k rowKey) bool { return k.bench == a.bench && k.cas == a.cas && k.metric == a.metric })
		ib := slices.IndexFunc(rp.rows, func(k rowKey) bool { return k.bench == b.bench && k.cas == b.cas && k.metric == b.metric })
		if ia != ib {
			return ia - ib
		}
		return a.threads - b.threads
	})
	return rp
}

// get returns the median of an engine's figure, or 0 if it has none.
func (rp *report) get(engine, benchName, cas, metricName string, threads int) float64 {
	vs := rp.vals[rowKey{benchName, cas, metricName, threads}][engine]
	if len(vs) == 0 {
		return 0
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	return vs[len(vs)/2]
}

// ratio is convnet's speed over the peer's, or 0 when either is missing.
func (rp *report) ratio(k rowKey, peer string) float64 {
	c, p := rp.get("convnet", k.bench, k.cas, k.metric, k.threads), rp.get(peer, k.bench, k.cas, k.metric, k.threads)
	if c == 0 || p == 0 {
		return 0
	}
	if rp.higher[k] {
		return c / p
	}
	return p / c
}

func num(v float64) string {
	switch {
	case v == 0:
		return ""
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func ratioStr(v float64) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%.2fx", v)
}

// table returns the figure rows: benchmark, case, figure, threads, convnet,
// PyTorch, ratio, ONNX Runtime, ratio.
func (rp *report) table() [][]string {
	rows := [][]string{{"bench", "case", "figure", "threads", "convnet", "PyTorch", "convnet/PyTorch", "ONNX Runtime", "convnet/ORT"}}
	for _, k := range rp.rows {
		rows = append(rows, []string{k.bench, k.cas, k.metric, fmt.Sprint(k.threads),
			num(rp.get("convnet", k.bench, k.cas, k.metric, k.threads)),
			num(rp.get("torch", k.bench, k.cas, k.metric, k.threads)), ratioStr(rp.ratio(k, "torch")),
			num(rp.get("onnxruntime", k.bench, k.cas, k.metric, k.threads)), ratioStr(rp.ratio(k, "onnxruntime"))})
	}
	return rows
}

// target is one of the goals, checked at one thread count.
type target struct {
	goal    string
	threads int
	got     string
	met     bool
	known   bool // false when a figure is missing
}

// largeConv are the four conv shapes with the most FLOPs, held to 85% of
// the FMA peak; firstConv are the LeNet-5 and CIFAR first layers, held to
// 3x PyTorch.
var (
	largeConv = []string{"32,32,32,32,32,3,1", "32,64,16,16,64,3,1", "16,128,8,8,128,3,1", "8,256,14,14,256,3,1"}
	firstConv = []string{"64,1,28,28,6,5,0", "32,3,32,32,32,3,1"}
)

func (rp *report) targets() []target {
	var ts []target
	for _, t := range rp.threads {
		add := func(goal string, got float64, want float64, format string) {
			ts = append(ts, target{goal: goal, threads: t, got: fmt.Sprintf(format, got), met: got >= want, known: got != 0})
		}
		speed := func(b, cas, m, peer string) float64 {
			return rp.ratio(rowKey{b, cas, m, t}, peer)
		}
		add("LeNet-5 training >= 2x PyTorch", speed("lenet-train", "batch 64", "images_per_s", "torch"), 2, "%.2fx")
		add("cifarnet training >= 1.2x PyTorch", speed("cifarnet-train", "batch 64", "images_per_s", "torch"), 1.2, "%.2fx")
		add("LeNet-5 inference, batch 64 >= 1x ONNX Runtime", speed("lenet-infer", "batch 64", "images_per_s", "onnxruntime"), 1, "%.2fx")
		add("LeNet-5 latency, batch 1 <= ONNX Runtime's", speed("lenet-latency", "batch 1", "us", "onnxruntime"), 1, "%.2fx")
		// The verdict is against the widest FMA loop's peak. Where that is
		// AVX-512 on full-width units, the AVX2 loop's peak is half of it,
		// and the share of that peak is shown beside.
		peak := rp.get("convnet", "peak", "", "fma_gflops", t)
		avx2 := rp.get("convnet", "peak", "", "fma_avx2_gflops", t)
		for _, s := range largeConv {
			g := rp.get("convnet", "conv", s, "fwdbwd_gflops", t)
			frac := 0.0
			if peak > 0 {
				frac = g / peak
			}
			add("conv fwd+bwd "+s+" >= 85% of FMA peak", 100*frac, 85, "%.1f%%")
			if avx2 > 0 && avx2 < 0.9*peak {
				ts[len(ts)-1].got += fmt.Sprintf(" (%.0f%% of AVX2's)", 100*g/avx2)
			}
		}
		for _, s := range firstConv {
			add("conv fwd+bwd "+s+" >= 3x PyTorch", speed("conv", s, "fwdbwd_gflops", "torch"), 3, "%.2fx")
		}
		relu := rp.get("convnet", "act", "relu forward 16Mi", "ns_per_elem", t)
		triad := rp.get("convnet", "peak", "", "triad_gbps", t)
		frac := 0.0
		if relu > 0 && triad > 0 {
			frac = 8 / relu / triad // ReLU moves 8 bytes per element
		}
		add("ReLU forward 16Mi >= 70% of triad bandwidth", 100*frac, 70, "%.0f%%")
		sig := rp.get("convnet", "act", "sigmoid forward 16Mi", "ns_per_elem", t)
		sr := 0.0
		if relu > 0 && sig > 0 {
			sr = relu / sig * 1.5 // >= 1 when sigmoid takes at most 1.5x ReLU's time
		}
		ts = append(ts, target{goal: "sigmoid forward 16Mi <= 1.5x ReLU's time", threads: t, got: fmt.Sprintf("%.2fx ReLU", sig/max(relu, 1e-30)), met: sr >= 1, known: sr != 0})
	}
	if slices.Contains(rp.threads, 1) && slices.Contains(rp.threads, 2) {
		one, two := rp.get("convnet", "lenet-train", "batch 64", "images_per_s", 1), rp.get("convnet", "lenet-train", "batch 64", "images_per_s", 2)
		torchScale := 0.0
		if t1 := rp.get("torch", "lenet-train", "batch 64", "images_per_s", 1); t1 > 0 {
			torchScale = rp.get("torch", "lenet-train", "batch 64", "images_per_s", 2) / t1
		}
		s := 0.0
		if one > 0 {
			s = two / one
		}
		ts = append(ts, target{goal: "LeNet-5 training 2 threads / 1 thread >= 1.7x", threads: 2,
			got: fmt.Sprintf("%.2fx (PyTorch %.2fx)", s, torchScale), met: s >= 1.7, known: s != 0})
	}
	return ts
}

func verdict(t target) string {
	switch {
	case !t.known:
		return "not measured"
	case t.met:
		return "met"
	}
	return "MISSED"
}

func (rp *report) writeText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rp.table() {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\tthreads\tmeasured\tverdict\t")
	for _, t := range rp.targets() {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", t.goal, t.threads, t.got, verdict(t))
	}
	tw.Flush()
}

func (rp *report) writeMarkdown(w io.Writer, cmdline string, started time.Time, envs map[string]map[string]any) {
	fmt.Fprintf(w, "Run on %s UTC with\n\n```sh\n%s\n```\n\n", started.Format("2006-01-02 15:04"), cmdline)
	fmt.Fprintf(w, "convnet at %s. Machine: %s, %d cores; %s.", startVersion, rp.machine(), runtime.NumCPU(), runtime.Version())
	if e := envs["torch"]; e != nil {
		fmt.Fprintf(w, " PyTorch %v with %v %v (kernel %v).", e["torch"], e["blas"], e["blas_version"], e["blas_kernel"])
	}
	if e := envs["onnxruntime"]; e != nil {
		fmt.Fprintf(w, " onnxruntime-node %v.", e["onnxruntime_node"])
	}
	fmt.Fprint(w, "\n\n| target | threads | measured | verdict |\n|---|---|---|---|\n")
	for _, t := range rp.targets() {
		v := verdict(t)
		if v == "MISSED" {
			v = "**missed**"
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s |\n", t.goal, t.threads, t.got, v)
	}
	fmt.Fprintln(w)
	for i, r := range rp.table() {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		if i == 0 {
			fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(r)))
		}
	}
}

// machine is the CPU the run measured, as its convnet peak lines name it,
// or this one (a run saved before they did).
func (rp *report) machine() string {
	if rp.cpu != "" {
		return rp.cpu
	}
	return bench.CPUName()
}

// startVersion is gitVersion when the program started: the run rewrites
// its own --raw and --markdown files, tracked ones, which would otherwise
// mark every run's commit dirty.
var startVersion = gitVersion()

// gitVersion is the work tree's commit, marked dirty when it has changes.
func gitVersion() string {
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "an unknown commit"
	}
	return "commit " + strings.TrimSpace(string(out))
}

// Command sidebyside runs `convnet bench` beside its peers, PyTorch
// (bench/torch_peer.py) and ONNX Runtime (bench/ort_peer.js), alternating
// them benchmark by benchmark at each thread count, and prints the figures,
// the speed ratios and the targets, met or missed.
//
//	go run ./bench/sidebyside                       # everything at 1 and 2 threads
//	go run ./bench/sidebyside --time 2s lenet-train conv
//	go run ./bench/sidebyside --markdown docs/BENCHMARKS.md
//
// With --markdown it rewrites the part of that file between the lines
// "<!-- sidebyside:begin -->" and "<!-- sidebyside:end -->" with the
// tables, the command and the date. Ratios are convnet's speed over the
// peer's: above 1, convnet is faster (for times, the peer's time over
// convnet's).
//
// PyTorch runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, so that
// OpenBLAS picks its own kernel for this CPU; the peer prints which one and
// checks a product against float64. ONNX Runtime needs
// `cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci`; without it the ORT
// columns stay empty.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/convnet/convnet/internal/bench"
)

type options struct {
	threads  []int
	time     time.Duration
	repeats  int
	rounds   int
	python   string
	node     string
	markdown string
	raw      string
	from     string
	names    []string
}

func main() {
	var o options
	threads := flag.String("threads", "1,2", "thread counts")
	flag.DurationVar(&o.time, "time", time.Second, "time spent timing each figure, per run")
	flag.IntVar(&o.repeats, "repeats", 5, "timed repeats per figure within a run (the median is kept)")
	flag.IntVar(&o.rounds, "rounds", 1, "runs of each benchmark per engine, alternating; the median is kept")
	flag.StringVar(&o.python, "python", "/usr/bin/python3", "Python with Debian's python3-torch")
	flag.StringVar(&o.node, "node", "node", "Node.js for the ONNX Runtime peer")
	flag.StringVar(&o.markdown, "markdown", "", "rewrite the sidebyside section of this Markdown file")
	flag.StringVar(&o.raw, "raw", "", "also write every JSON line, tagged with its engine, to this file")
	flag.StringVar(&o.from, "from", "", "measure nothing: report the tagged JSON lines of an earlier --raw file")
	flag.Parse()
	for _, f := range strings.Split(*threads, ",") {
		var t int
		if _, err := fmt.Sscan(f, &t); err != nil || t < 1 {
			fatalf("--threads %q: want e.g. 1,2", *threads)
		}
		o.threads = append(o.threads, t)
	}
	o.names = flag.Args()
	if len(o.names) == 0 {
		for _, b := range bench.All {
			o.names = append(o.names, b.Name)
		}
	}
	for _, n := range o.names {
		if _, ok := bench.Lookup(n); !ok {
			fatalf("unknown benchmark %q", n)
		}
	}
	if o.from != "" {
		if err := reportRaw(o); err != nil {
			fatalf("%v", err)
		}
		return
	}
	if err := run(o); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "sidebyside: "+format+"\n", a...)
	os.Exit(1)
}

// engine is one of the measured programs.
type engine struct {
	name string
	cmd  func(name string, threads int) *exec.Cmd // nil when it does not run name
}

// line is one JSON line of any engine.
type line struct {
	engine string
	bench.Result
	raw map[string]any
}

func run(o options) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "sidebyside")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	convnet := filepath.Join(dir, "convnet")
	build := exec.Command("go", "build", "-o", convnet, "./cmd/convnet")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %v", err)
	}
	lenet := filepath.Join(dir, "lenet.onnx")
	if out, err := exec.Command(convnet, "bench", "--lenet-onnx", lenet).CombinedOutput(); err != nil {
		return fmt.Errorf("convnet bench --lenet-onnx: %v %s", err, out)
	}
	common := func(t int) []string {
		return []string{"--threads", fmt.Sprint(t), "--time", fmt.Sprint(o.time.Seconds()), "--repeats", fmt.Sprint(o.repeats)}
	}
	engines := []engine{
		{"convnet", func(name string, t int) *exec.Cmd {
			return exec.Command(convnet, "bench", name, "--json", "--threads", fmt.Sprint(t), "--time", o.time.String(), "--repeats", fmt.Sprint(o.repeats))
		}},
		{"torch", func(name string, t int) *exec.Cmd {
			c := exec.Command(o.python, append([]string{filepath.Join(root, "bench", "torch_peer.py"), name}, common(t)...)...)
			c.Env = withoutOpenBLASPins(os.Environ())
			return c
		}},
	}
	ortModules := filepath.Join(root, "bench", "node_modules", "onnxruntime-node")
	if _, err := os.Stat(ortModules); err == nil {
		engines = append(engines, engine{"onnxruntime", func(name string, t int) *exec.Cmd {
			if name != "lenet-infer" && name != "lenet-latency" {
				return nil
			}
			return exec.Command(o.node, append([]string{filepath.Join(root, "bench", "ort_peer.js"), name, "--model", lenet}, common(t)...)...)
		}})
	} else {
		fmt.Fprintln(os.Stderr, "sidebyside: no bench/node_modules/onnxruntime-node: skipping ONNX Runtime (cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci)")
	}

	started := time.Now().UTC()
	var lines []line
	envs := map[string]map[string]any{}
	var rawOut io.Writer = io.Discard
	if o.raw != "" {
		f, err := os.Create(o.raw)
		if err != nil {
			return err
		}
		defer f.Close()
		rawOut = f
	}
	// Alternate: for every benchmark, round by round, each thread count and
	// within it each engine in turn, the engines' order rotated from round
	// to round, so that a slow patch of the machine falls on all of them
	// alike. The thread counts alternate within a round too: the 1-to-2
	// thread ratio compares runs seconds apart, not a whole benchmark's
	// rounds apart (the machine's one-thread speed moved by a third within
	// minutes on some days).
	for _, name := range o.names {
		for r := range o.rounds {
			for _, t := range o.threads {
				for i := range engines {
					e := engines[(i+r)%len(engines)]
					cmd := e.cmd(name, t)
					if cmd == nil {
						continue
					}
					fmt.Fprintf(os.Stderr, "%s %s --threads %d (round %d)\n", e.name, name, t, r+1)
					got, err := runLines(cmd)
					if err != nil {
						return fmt.Errorf("%s %s: %v", e.name, name, err)
					}
					for _, l := range got {
						l.engine = e.name
						tagged := map[string]any{"engine": e.name, "round": r + 1}
						for k, v := range l.raw {
							tagged[k] = v
						}
						b, _ := json.Marshal(tagged)
						fmt.Fprintf(rawOut, "%s\n", b)
						if l.Bench == "env" {
							envs[e.name] = l.raw
							continue
						}
						lines = append(lines, l)
					}
				}
			}
		}
	}
	return write(o, lines, envs, started, "go run ./bench/sidebyside "+strings.Join(os.Args[1:], " "))
}

// write prints the report and, with --markdown, rewrites its section.
func write(o options, lines []line, envs map[string]map[string]any, started time.Time, cmdline string) error {
	rep := newReport(lines, o.threads)
	var text bytes.Buffer
	rep.writeText(&text)
	os.Stdout.Write(text.Bytes())
	if o.markdown != "" {
		var md bytes.Buffer
		rep.writeMarkdown(&md, cmdline, started, envs)
		if err := replaceSection(o.markdown, md.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// reportRaw reports the lines of a --raw file, each tagged with its engine.
func reportRaw(o options) error {
	b, err := os.ReadFile(o.from)
	if err != nil {
		return err
	}
	var lines []line
	envs := map[string]map[string]any{}
	for _, s := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(s)) == 0 {
			continue
		}
		var l line
		var tag struct{ Engine string }
		if err := json.Unmarshal(s, &l.Result); err != nil {
			return fmt.Errorf("%s: %q: %v", o.from, s, err)
		}
		json.Unmarshal(s, &tag)
		json.Unmarshal(s, &l.raw)
		l.engine = tag.Engine
		if l.Bench == "env" {
			envs[l.engine] = l.raw
			continue
		}
		lines = append(lines, l)
	}
	fi, err := os.Stat(o.from)
	if err != nil {
		return err
	}
	return write(o, lines, envs, fi.ModTime().UTC(), "go run ./bench/sidebyside "+strings.Join(os.Args[1:], " "))
}

// withoutOpenBLASPins drops OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, set on
// some machines here for older OpenBLAS builds, so OpenBLAS 0.3.21 picks its
// own kernel (the peer checks its products).
func withoutOpenBLASPins(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") || strings.HasPrefix(kv, "OPENBLAS_L2_SIZE=")
	})
}

// runLines runs cmd and parses the JSON lines of its output.
func runLines(cmd *exec.Cmd) ([]line, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var ls []line
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 || b[0] != '{' {
			continue
		}
		var l line
		if err := json.Unmarshal(b, &l.Result); err != nil {
			return nil, fmt.Errorf("%q: %v", b, err)
		}
		json.Unmarshal(b, &l.raw)
		ls = append(ls, l)
	}
	return ls, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from inside the convnet module")
	}
	return filepath.Dir(mod), nil
}

// replaceSection puts body between the markers in the file at path.
func replaceSection(path string, body []byte) error {
	const begin, end = "<!-- sidebyside:begin -->\n", "<!-- sidebyside:end -->"
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i, j := bytes.Index(old, []byte(begin)), bytes.Index(old, []byte(end))
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %q ... %q section", path, strings.TrimSpace(begin), end)
	}
	var b bytes.Buffer
	b.Write(old[:i+len(begin)])
	b.Write(body)
	b.Write(old[j:])
	return os.WriteFile(path, b.Bytes(), 0o644)
}

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/bench"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/optim"
	"github.com/convnet/convnet/probe"
	"github.com/convnet/convnet/train"
)

// DeepPlainNet is compare's net for gradient flow: eight 3×3 conv layers
// with no batch norm and no shortcuts, the kind of net where the choice of
// activation decides whether the first layers learn at all. The relu
// placeholders are replaced by each activation compared.
const DeepPlainNet = "conv(16,3,pad=1) relu conv(16,3,pad=1) relu maxpool(2) " +
	"conv(32,3,pad=1) relu conv(32,3,pad=1) relu conv(32,3,pad=1) relu maxpool(2) " +
	"conv(32,3,pad=1) relu conv(32,3,pad=1) relu conv(32,3,pad=1) relu flatten dense(10)"

// errorThresholds are the running training errors whose first crossing
// compare reports (Krizhevsky et al. 2012 use 25% on CIFAR-10).
var errorThresholds = []float64{0.25, 0.10, 0.05}

// runningWindow is how many steps the running training error averages.
const runningWindow = 50

// layerNorm is one weighted layer's gradient norm.
type layerNorm struct {
	Layer string  `json:"layer"`
	Norm  float64 `json:"grad_norm"`
}

// netRun is one net trained with one activation.
type netRun struct {
	TestAcc    float64     `json:"test_accuracy"`
	TrainTime  float64     `json:"train_time_s"`
	TrainSize  int         `json:"train_examples"`
	GradInit   []layerNorm `json:"grad_init"`
	GradAfter  []layerNorm `json:"grad_after"`
	RatioInit  float64     `json:"first_last_ratio_init"`
	RatioAfter float64     `json:"first_last_ratio_after"`
}

// compareRun is everything measured for one activation.
type compareRun struct {
	Activation string        `json:"activation"`
	Model      netRun        `json:"model"`
	Deep       *netRun       `json:"deep,omitempty"`
	StepErr    []float64     `json:"-"`              // 1 - batch accuracy, per step
	Running    []float64     `json:"-"`              // running training error, per step
	Reach      []int         `json:"steps_to_reach"` // per errorThresholds; 0: not reached
	Health     *probe.Health `json:"health_after"`   // on the sample, after training
	Cost       probe.Cost    `json:"cost"`
}

type compareResult struct {
	Command     string        `json:"command"`
	Date        string        `json:"date"`
	Data        string        `json:"data"`
	Spec        string        `json:"model"`
	DeepSpec    string        `json:"deep_model"`
	Epochs      int           `json:"epochs"`
	Batch       int           `json:"batch"`
	LR          float64       `json:"lr"`
	Optimizer   string        `json:"optimizer"`
	Schedule    string        `json:"schedule"`
	Seed        uint64        `json:"seed"`
	Threads     int           `json:"threads"`
	Sample      int           `json:"sample"`
	Steps       int           `json:"steps"`
	TrainSize   int           `json:"train_examples"`
	TestSize    int           `json:"test_examples"`
	Thresholds  []float64     `json:"thresholds"`
	Window      int           `json:"running_window"`
	CostElems   int           `json:"cost_elements"`
	CostTime    float64       `json:"cost_time_s"`
	Runs        []*compareRun `json:"runs"`
	TotalTime   float64       `json:"total_time_s"`
	CPU         string        `json:"cpu,omitempty"`
	GoVersion   string        `json:"go"`
	Activations []string      `json:"-"`
}

func runCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare", "[--activations relu,sigmoid,tanh,leakyrelu] [--data D] [--epochs N] [--model SPEC] --out DIR",
		"Trains the same net with the same seed and the same batch order once per activation and writes a\n"+
			"Markdown report with PNG plots to DIR (report.md, results.json): training error against step and\n"+
			"the steps to 25%, 10% and 5% running error; per-layer weight-gradient norms at initialisation and\n"+
			"after training, for the model and for a deep plain net of 8 conv layers; sparsity and dead units per\n"+
			"layer; the cost of each activation's forward and backward in ns per element; test accuracy and wall\n"+
			"time. Weights start with the scheme that suits each activation (He for ReLU-like, Xavier otherwise).", stdout)
	acts := fs.String("activations", "relu,sigmoid,tanh,leakyrelu", "activations to compare, comma-separated; the first is the baseline of the ratios")
	dataSpec := fs.String("data", "mnist", "data: "+data.Specs)
	epochs := fs.Int("epochs", 1, "passes over the training set for each activation")
	model := fs.String("model", LeNet5, "model spec (its activations are replaced), or a file holding one")
	deep := fs.String("deep", DeepPlainNet, "deep plain net for the gradient-flow part; \"none\" skips it")
	deepLimit := fs.Int("deep-limit", 10000, "train the deep net on the first N training examples (0: all)")
	batch := fs.Int("batch", 64, "examples per step")
	lr := fs.Float64("lr", 0, "base learning rate (0: the optimizer's default, 0.05 for the SGD family and 0.001 for adam and adamw)")
	optName := fs.String("optimizer", "momentum", "optimizer")
	schedule := fs.String("schedule", "cosine", "learning-rate schedule")
	seed := fs.Uint64("seed", 1, "random seed for weights and batch order, the same for every activation")
	limit := fs.Int("limit", 0, "train on the first N examples only (0: all)")
	testLimit := fs.Int("test-limit", 0, "test on the first N test examples only (0: all)")
	costTime := fs.Duration("cost-time", 300*time.Millisecond, "how long to time each activation's forward and backward")
	sample := fs.Int("sample", 512, "training examples the gradient norms, sparsity and dead units are measured on")
	threads := fs.Int("threads", 0, "worker goroutines (0: all cores)")
	out := fs.String("out", "compare", "folder for the report (created if missing)")
	quiet := fs.Bool("quiet", false, "no progress bars")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	// prelu is left out: probe.ActivationCost times an nn.Activation, and
	// prelu is a layer of its own, with a parameter per channel.
	comparable := slices.DeleteFunc(slices.Clone(nn.HiddenActivations), func(a string) bool { return a == "prelu" })
	var names []string
	for _, a := range strings.Split(*acts, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if err := checkActivation("--activations", a, comparable); err != nil {
			return err
		}
		names = append(names, a)
	}
	switch {
	case len(names) == 0:
		return usageError{"--activations names none"}
	case *epochs < 1:
		return usageError{"--epochs must be at least 1"}
	case *sample < 1:
		return usageError{"--sample must be at least 1"}
	case *threads < 0:
		return usageError{"--threads must be 0 or more"}
	}
	kernel.SetThreads(*threads)
	spec, err := readSpec(*model)
	if err != nil {
		return err
	}
	start := time.Now()
	trainSet, testSet, err := data.Open(*dataSpec, data.Options{})
	if err != nil {
		return err
	}
	if *limit > 0 {
		trainSet = trainSet.Subset(*limit)
	}
	if *testLimit > 0 {
		testSet = testSet.Subset(*testLimit)
	}
	input := []int{trainSet.C, trainSet.H, trainSet.W}
	// Check every net builds before spending minutes training.
	for _, s := range []string{spec, *deep} {
		if s == "none" {
			continue
		}
		if _, err := nn.NewModel(s, input, trainSet.Classes, nn.SpecOptions{Activation: names[0]}); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", *out, err)
	}
	if *lr == 0 {
		*lr = optim.DefaultLR(*optName)
	}
	res := &compareResult{
		Command: commandLine("compare", args), Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Data: *dataSpec,
		Spec: strings.Join(strings.Fields(spec), " "), Epochs: *epochs, Batch: *batch, LR: *lr, Optimizer: *optName,
		Schedule: *schedule, Seed: *seed, Threads: kernel.Threads(), Sample: min(*sample, trainSet.Len()),
		TrainSize: trainSet.Len(), TestSize: testSet.Len(), Thresholds: errorThresholds, Window: runningWindow,
		CostElems: 1 << 20, CostTime: costTime.Seconds(), Activations: names, CPU: bench.CPUName(), GoVersion: goVersion(),
	}
	if *deep != "none" {
		res.DeepSpec = *deep
	}
	sampleSet := trainSet.Subset(*sample)
	progress := stderr
	if *quiet {
		progress = nil
	}
	cfg := train.Config{Epochs: *epochs, Batch: *batch, LR: *lr, Optimizer: *optName, Schedule: *schedule, Seed: *seed,
		Progress: progress, HealthSample: -1}
	fmt.Fprintf(stdout, "model: %s, activations replaced by each of %s\n", res.Spec, strings.Join(names, ", "))
	for _, act := range names {
		fmt.Fprintf(stdout, "%s:\n", act)
		run := &compareRun{Activation: act}
		c, err := probe.ActivationCost(act, res.CostElems, *costTime)
		if err != nil {
			return err
		}
		run.Cost = c
		cfg.OnStep = func(s train.StepInfo) { run.StepErr = append(run.StepErr, 1-s.Acc) }
		m, err := trainCompared(&run.Model, spec, act, trainSet, testSet, sampleSet, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", act, err)
		}
		run.Health = measureModel(m, sampleSet, 0)
		run.Running, run.Reach = runningError(run.StepErr, runningWindow, errorThresholds)
		res.Steps = len(run.StepErr)
		fmt.Fprintf(stdout, "  test accuracy %.2f%%, trained in %.1f s; first/last gradient ratio %.2g at init, %.2g after\n",
			100*run.Model.TestAcc, run.Model.TrainTime, run.Model.RatioInit, run.Model.RatioAfter)
		if res.DeepSpec != "" {
			fmt.Fprintf(stdout, "  deep plain net (%d conv layers) on %d examples\n", strings.Count(res.DeepSpec, "conv("), min(orAll(*deepLimit), trainSet.Len()))
			deepCfg := cfg
			deepCfg.OnStep = nil
			run.Deep = &netRun{}
			if _, err := trainCompared(run.Deep, res.DeepSpec, act, trainSet.Subset(orAll(*deepLimit)), testSet, sampleSet, deepCfg); err != nil {
				return fmt.Errorf("%s, deep net: %w", act, err)
			}
			fmt.Fprintf(stdout, "  deep net: test accuracy %.2f%%; first/last gradient ratio %.2g at init, %.2g after\n",
				100*run.Deep.TestAcc, run.Deep.RatioInit, run.Deep.RatioAfter)
		}
		res.Runs = append(res.Runs, run)
	}
	res.TotalTime = time.Since(start).Seconds()
	if err := writeCompareReport(*out, res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s in %s\n", filepath.Join(*out, "report.md"), time.Since(start).Round(time.Second))
	return nil
}

func orAll(n int) int {
	if n <= 0 {
		return -1 // Subset(-1) keeps everything
	}
	return n
}

// trainCompared builds spec with act, measures the weight-gradient norms on
// the sample, trains, and measures them again.
func trainCompared(r *netRun, spec, act string, trainSet, testSet, sample *data.Dataset, cfg train.Config) (*nn.Model, error) {
	m, err := nn.NewModel(spec, []int{trainSet.C, trainSet.H, trainSet.W}, trainSet.Classes, nn.SpecOptions{Activation: act})
	if err != nil {
		return nil, err
	}
	m.Graph.Init(cfg.Seed)
	h := measureModel(m, sample, 0)
	r.GradInit, r.RatioInit = gradNorms(h), h.GradRatio()
	res, err := train.Run(m, trainSet, testSet, cfg)
	if err != nil {
		return nil, err
	}
	h = measureModel(m, sample, 0)
	r.GradAfter, r.RatioAfter = gradNorms(h), h.GradRatio()
	r.TestAcc, r.TrainTime, r.TrainSize = res.Test.Accuracy, res.Time.Seconds(), trainSet.Len()
	return m, nil
}

func gradNorms(h *probe.Health) []layerNorm {
	var ns []layerNorm
	for _, l := range h.Weighted() {
		ns = append(ns, layerNorm{l.Name, l.GradNorm})
	}
	return ns
}

// runningError averages the per-step errors over the last window steps
// (fewer at the start) and finds the first step (from 1) at which that
// average is at or below each threshold, 0 when it never is.
func runningError(stepErr []float64, window int, thresholds []float64) ([]float64, []int) {
	running := make([]float64, len(stepErr))
	reach := make([]int, len(thresholds))
	var sum float64
	for i, e := range stepErr {
		sum += e
		if i >= window {
			sum -= stepErr[i-window]
		}
		running[i] = sum / float64(min(i+1, window))
		for k, t := range thresholds {
			if reach[k] == 0 && running[i] <= t {
				reach[k] = i + 1
			}
		}
	}
	return running, reach
}

// commandLine quotes args as a shell would need them.
func commandLine(name string, args []string) string {
	parts := []string{"convnet", name}
	for _, a := range args {
		if strings.ContainsAny(a, " ()'\"$*?&|;<>") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

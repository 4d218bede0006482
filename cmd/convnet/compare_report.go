package main

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/convnet/convnet/internal/atomicfile"
	"github.com/convnet/convnet/internal/numfmt"
)

func goVersion() string { return runtime.Version() }

// writeCompareReport writes the plots, results.json and report.md into dir.
func writeCompareReport(dir string, res *compareResult) error {
	plots := []struct {
		file string
		draw func(string) error
	}{
		{"error.png", func(p string) error { return plotTrainingError(p, res) }},
		{"gradflow-model.png", func(p string) error {
			return plotGradFlow(p, "model", res, func(r *compareRun) *netRun { return &r.Model })
		}},
		{"sparsity.png", func(p string) error { return plotSparsity(p, res) }},
		{"cost.png", func(p string) error { return plotCost(p, res) }},
		{"accuracy.png", func(p string) error { return plotOutcome(p, res) }},
	}
	if res.DeepSpec != "" {
		plots = append(plots, struct {
			file string
			draw func(string) error
		}{"gradflow-deep.png", func(p string) error {
			return plotGradFlow(p, "deep plain net", res, func(r *compareRun) *netRun { return r.Deep })
		}})
	}
	for _, p := range plots {
		if err := p.draw(filepath.Join(dir, p.file)); err != nil {
			return fmt.Errorf("plot %s: %w", p.file, err)
		}
	}
	if err := writeJSONFile(filepath.Join(dir, "results.json"), res); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, "report.md"), 0o644, func(w io.Writer) error {
		return writeReportText(w, res)
	})
}

func pct(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) }

// stepsText prints a step count, or that the threshold was not reached.
func stepsText(n, total int) string {
	if n == 0 {
		return fmt.Sprintf("not in %d", total)
	}
	return fmt.Sprint(n)
}

// ratioText prints steps/base, with ">" when the run never got there.
func ratioText(n, base, total int) string {
	switch {
	case base == 0:
		return "-"
	case n == 0:
		return fmt.Sprintf("> %.1fx", float64(total)/float64(base))
	}
	return fmt.Sprintf("%.2fx", float64(n)/float64(base))
}

func writeReportText(w io.Writer, res *compareResult) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	base := res.Runs[0]
	names := make([]string, len(res.Runs))
	for i, r := range res.Runs {
		names[i] = r.Activation
	}
	p("# %s on %s: one run of `convnet compare`\n\n", strings.Join(names, ", "), res.Data)
	p("Made with:\n\n```sh\n%s\n```\n\n", res.Command)
	p("on %s, %s, %d threads, %s, in %.0f s in all. Every figure below was measured in that run; `results.json` beside this file holds them all.\n\n",
		res.Date, orUnknown(res.CPU), res.Threads, res.GoVersion, res.TotalTime)
	p("**Setup.** The model `%s`, with every activation replaced by the one compared, trained for %s on %d %s training examples: "+
		"batch %d, %s, learning rate %g, %s schedule, seed %d. The seed gives every activation the same batch order and the same random source for the initial weights, "+
		"which are drawn from the scheme that suits each activation (He for ReLU-like, Xavier for sigmoid and tanh), as `convnet train` does, so "+
		"`convnet train --activation %s` with the same data, epochs, batch, learning rate and seed trains the same net the same way. "+
		"Gradient norms, sparsity and dead units are measured on the first %d training examples, in inference mode. "+
		"The first activation, %s, is the baseline of every ratio.\n\n",
		res.Spec, plural(res.Epochs, "epoch"), res.TrainSize, res.Data, res.Batch, res.Optimizer, res.LR, res.Schedule, res.Seed, names[min(1, len(names)-1)], res.Sample, base.Activation)

	p("## 1. Convergence: steps to a running training error\n\n![running training error against step](error.png)\n\n")
	p("Running training error is the mean error of the last %d training batches (fewer during the first steps). Steps to reach each level, of %d steps:\n\n", res.Window, res.Steps)
	p("| activation |")
	for _, t := range res.Thresholds {
		p(" %.0f%% | vs %s |", 100*t, base.Activation)
	}
	p(" final running error |\n|---|")
	for range res.Thresholds {
		p("---:|---:|")
	}
	p("---:|\n")
	for _, r := range res.Runs {
		p("| %s |", r.Activation)
		for k := range res.Thresholds {
			p(" %s | %s |", stepsText(r.Reach[k], res.Steps), ratioText(r.Reach[k], base.Reach[k], res.Steps))
		}
		p(" %s |\n", pct(r.Running[len(r.Running)-1]))
	}
	p("\n")
	if base.Reach[0] == 0 {
		p("- %s did not reach 25%% running error in this run, so there is no ratio to it; train longer (--epochs) to get one.\n", base.Activation)
	}
	for _, r := range res.Runs[1:] {
		switch {
		case base.Reach[0] == 0:
		case r.Reach[0] == 0:
			p("- %s did not reach 25%% running error within %d steps; %s reached it at step %d.\n", r.Activation, res.Steps, base.Activation, base.Reach[0])
		default:
			p("- %s reached 25%% running error at step %d, %s at step %d: %.2f times as many steps.\n", r.Activation, r.Reach[0], base.Activation, base.Reach[0], float64(r.Reach[0])/float64(base.Reach[0]))
		}
	}
	if tanh := findRun(res, "tanh"); tanh != nil && base.Activation == "relu" && tanh.Reach[0] > 0 && base.Reach[0] > 0 {
		r := float64(tanh.Reach[0]) / float64(base.Reach[0])
		here := fmt.Sprintf("ReLU got there %.2f times sooner than tanh", r)
		if r < 1 {
			here = fmt.Sprintf("tanh got there sooner: ReLU took %.2f times tanh's steps", 1/r)
		}
		p("- Krizhevsky et al. (2012, figure 1) report ReLU reaching 25%% training error six times sooner than tanh, with a four-layer conv net on CIFAR-10. "+
			"In this run, %s. This run is not the paper's setting: %s with this model reaches 25%% within the first hundred or so steps; `--data cifar10:DIR` comes closer to it.\n",
			here, res.Data)
	}
	p("\n## 2. Gradient flow\n\n![weight-gradient norm per layer, model](gradflow-model.png)\n\n")
	if res.DeepSpec != "" {
		p("![weight-gradient norm per layer, deep plain net](gradflow-deep.png)\n\n")
		p("The deep plain net is `%s`, trained the same way on the first %d training examples.\n\n", res.DeepSpec, deepSize(res))
	}
	p("L2 norm of each weighted layer's gradient of the mean loss over the sample. The ratio first layer / last layer is the figure to watch: far below 1, the layers near the input learn far more slowly than those near the output (vanishing gradients).\n\n")
	p("| activation | model: first/last at init | after training |")
	if res.DeepSpec != "" {
		p(" deep net: first/last at init | after training |")
	}
	p("\n|---|---:|---:|")
	if res.DeepSpec != "" {
		p("---:|---:|")
	}
	p("\n")
	for _, r := range res.Runs {
		p("| %s | %.2g | %.2g |", r.Activation, r.Model.RatioInit, r.Model.RatioAfter)
		if r.Deep != nil {
			p(" %.2g | %.2g |", r.Deep.RatioInit, r.Deep.RatioAfter)
		}
		p("\n")
	}
	p("\n")
	ratios := func(get func(*compareRun) float64) string {
		var parts []string
		for _, r := range res.Runs {
			parts = append(parts, fmt.Sprintf("%s %.2g", r.Activation, get(r)))
		}
		return strings.Join(parts, ", ")
	}
	p("- First/last weight-gradient ratio of the model at initialisation: %s.\n", ratios(func(r *compareRun) float64 { return r.Model.RatioInit }))
	if res.DeepSpec != "" {
		p("- The same ratio in the deep plain net at initialisation: %s; after training: %s.\n",
			ratios(func(r *compareRun) float64 { return r.Deep.RatioInit }), ratios(func(r *compareRun) float64 { return r.Deep.RatioAfter }))
		if sig, relu := findRun(res, "sigmoid"), findRun(res, "relu"); sig != nil && relu != nil && sig.Deep.RatioInit > 0 {
			p("- With sigmoid, the deep net's first layer started with a gradient %.2g times smaller, relative to its last layer, than with ReLU.\n",
				relu.Deep.RatioInit/sig.Deep.RatioInit)
		}
	}

	p("\n## 3. Sparsity and dead units\n\n![sparsity and dead units per activation layer](sparsity.png)\n\n")
	p("After training, on the %d-example sample. Sparsity is the fraction of an activation layer's outputs that are exactly 0; a unit (a channel of a conv layer, a unit of a dense one) is dead when it is 0 for every example of the sample. Saturated counts sigmoid and tanh outputs within 0.01 of their bounds.\n\n", res.Sample)
	p("| activation | layer | sparsity | dead units | saturated |\n|---|---|---:|---:|---:|\n")
	for _, r := range res.Runs {
		for _, l := range r.Health.Layers {
			if l.Type == r.Activation {
				sat := "-"
				if l.Bounded() {
					sat = pct(l.Saturation)
				}
				p("| %s | %s (after %s) | %s | %d of %d | %s |\n", r.Activation, l.Name, l.After, pct(l.Sparsity), l.Dead, l.Units, sat)
			}
		}
	}

	p("\n## 4. Cost of the activation itself\n\n![ns per element, forward and backward](cost.png)\n\n")
	p("The engine's own activation layer (`nn.Activation`, as training runs it) on %s elements (4 MiB) drawn from N(0,1), %d threads, the fastest of repeated runs within %g s.\n\n", numfmt.Thousands(int64(res.CostElems)), res.Threads, res.CostTime)
	p("| activation | forward ns/element | backward ns/element | forward vs %s | backward vs %s |\n|---|---:|---:|---:|---:|\n", base.Activation, base.Activation)
	for _, r := range res.Runs {
		p("| %s | %.3f | %.3f | %.1fx | %.1fx |\n", r.Activation, r.Cost.ForwardNs, r.Cost.BackwardNs,
			r.Cost.ForwardNs/base.Cost.ForwardNs, r.Cost.BackwardNs/base.Cost.BackwardNs)
	}

	p("\n## 5. Test accuracy and wall time\n\n![test accuracy and training time](accuracy.png)\n\n")
	p("| activation | test accuracy | training time |")
	if res.DeepSpec != "" {
		p(" deep net test accuracy | deep net training time |")
	}
	p("\n|---|---:|---:|")
	if res.DeepSpec != "" {
		p("---:|---:|")
	}
	p("\n")
	for _, r := range res.Runs {
		p("| %s | %s | %.1f s |", r.Activation, pct(r.Model.TestAcc), r.Model.TrainTime)
		if r.Deep != nil {
			p(" %s | %.1f s |", pct(r.Deep.TestAcc), r.Deep.TrainTime)
		}
		p("\n")
	}
	p("\nTest accuracy is on %d test examples after the last epoch. Training time is the wall time of `train.Run`, including the evaluation after each epoch, on a machine that other jobs may share.\n", res.TestSize)
	p("\n## What this run does not show\n\nOne seed and one run per activation: differences of a few steps or a few tenths of a percent are within the noise of the batch order and the initial weights. Each activation gets the initialisation that suits it but the same learning rate, which favours some more than others.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func findRun(res *compareResult, act string) *compareRun {
	for _, r := range res.Runs {
		if r.Activation == act {
			return r
		}
	}
	return nil
}

func deepSize(res *compareResult) int {
	if len(res.Runs) > 0 && res.Runs[0].Deep != nil {
		return res.Runs[0].Deep.TrainSize
	}
	return 0
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown CPU"
	}
	return s
}

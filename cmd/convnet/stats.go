package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/probe"
	"github.com/convnet/convnet/tensor"
)

func runStats(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stats", "--model PATH [--data D] [--split test|train] [--sample N] [--json]",
		"Prints the health of every layer of a saved model over a sample of a dataset:\n"+
			"  sparsity   fraction of outputs exactly 0\n"+
			"  dead       channels (or units) that are 0 for every example of the sample\n"+
			"  saturated  sigmoid/tanh outputs within 0.01 of their bounds\n"+
			"  mean, std  of the outputs\n"+
			"  |W|, |dW|  L2 norms of the weight and of the gradient of the mean loss over the sample\n"+
			"  dW/last    |dW| relative to the last weighted layer's (far below 1: vanishing gradients)\n"+
			"  lr|dW|/|W| the size of one plain SGD step at --lr relative to the weight (about 1e-3 is healthy)\n"+
			"then the advice for layers that look wrong.", stdout)
	model := fs.String("model", "model.onnx", "saved model (ONNX or a native checkpoint)")
	dataSpec := fs.String("data", "mnist", "data: "+data.Specs)
	split := fs.String("split", "test", "which split to sample: test or train")
	sample := fs.Int("sample", 1000, "examples to measure on, the first of the split (0: all)")
	lr := fs.Float64("lr", 0.05, "learning rate for the step-to-weight ratio")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the table")
	threads := fs.Int("threads", 0, "worker goroutines (0: all cores)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if *split != "test" && *split != "train" {
		return usageError{"--split takes test or train"}
	}
	if *sample < 0 {
		return usageError{"--sample must be 0 or more"}
	}
	kernel.SetThreads(*threads)
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	if len(m.Input) != 3 {
		return fmt.Errorf("%s does not take images (its input is %s)", *model, tensor.ShapeString(m.Input))
	}
	trainSet, testSet, err := data.Open(*dataSpec, data.Options{C: m.Input[0], H: m.Input[1], W: m.Input[2]})
	if err != nil {
		return err
	}
	ds := testSet
	if *split == "train" {
		ds = trainSet
	}
	if len(ds.Classes) != len(m.Classes) {
		return fmt.Errorf("the model has %d classes, the data %s has %d", len(m.Classes), *dataSpec, len(ds.Classes))
	}
	h := measureModel(m, ds, *sample)
	for i := range h.Layers {
		if l := &h.Layers[i]; l.WeightNorm > 0 {
			l.UpdateRatio = *lr * l.GradNorm / l.WeightNorm
		}
	}
	advice := (&probe.Advisor{}).Advise(0, h)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			*probe.Health
			Advice []string `json:"advice"`
		}{h, advice})
	}
	fmt.Fprintf(stdout, "%s on %d %s examples of %s\n\n", *model, h.Examples, *split, *dataSpec)
	if err := writeHealthTable(stdout, h, true); err != nil {
		return err
	}
	if len(advice) == 0 {
		fmt.Fprintln(stdout, "\nno layer looks wrong")
	} else {
		fmt.Fprintln(stdout)
	}
	for _, a := range advice {
		fmt.Fprintln(stdout, a)
	}
	return nil
}

// writeHealthTable prints one row per layer; "-" marks figures that do not
// apply (saturation of unbounded layers, norms of layers without weights).
func writeHealthTable(w io.Writer, h *probe.Health, step bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "layer\ttype\tshape\tsparsity\tdead\tsaturated\tmean\tstd\t|W|\t|dW|\tdW/last\t"
	if step {
		head += "lr|dW|/|W|\t"
	}
	fmt.Fprintln(tw, head)
	var last float64
	if ws := h.Weighted(); len(ws) > 0 {
		last = ws[len(ws)-1].GradNorm
	}
	for _, l := range h.Layers {
		sat, wn, gn, rel, upd := "-", "-", "-", "-", "-"
		if l.Bounded() {
			sat = fmt.Sprintf("%.1f%%", 100*l.Saturation)
		}
		if l.HasWeight() {
			wn, gn = fmt.Sprintf("%.3g", l.WeightNorm), fmt.Sprintf("%.3g", l.GradNorm)
			upd = fmt.Sprintf("%.2g", l.UpdateRatio)
			if last > 0 {
				rel = fmt.Sprintf("%.2g", l.GradNorm/last)
			}
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%.1f%%\t%d/%d\t%s\t%.3g\t%.3g\t%s\t%s\t%s\t", l.Name, l.Type, tensor.ShapeString(l.Shape),
			100*l.Sparsity, l.Dead, l.Units, sat, l.Mean, l.Std, wn, gn, rel)
		if step {
			row += upd + "\t"
		}
		fmt.Fprintln(tw, row)
	}
	return tw.Flush()
}

// measureModel measures m's layer health over the first n examples of ds
// (all when n < 1), 256 at a time, with weight gradients.
func measureModel(m *nn.Model, ds *data.Dataset, n int) *probe.Health {
	if n < 1 || n > ds.Len() {
		n = ds.Len()
	}
	const batch = 256
	meter := probe.NewMeter(m.Graph, true)
	x := &tensor.Tensor{}
	labels := make([]int, batch)
	idx := make([]int, batch)
	for lo := 0; lo < n; lo += batch {
		k := min(batch, n-lo)
		for i := range k {
			idx[i] = lo + i
		}
		x.Resize(k, ds.C, ds.H, ds.W)
		ds.Batch(idx[:k], x.Data, labels[:k], nil, nil)
		meter.Add(x, labels[:k])
	}
	return meter.Health()
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/train"
)

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "--model PATH [--data D] [--json]", "Evaluates a saved model on the test split of a dataset: accuracy, per-class accuracy and the confusion matrix (rows: true class, columns: predicted).", stdout)
	model := fs.String("model", "model.onnx", "saved model (ONNX or a native checkpoint)")
	dataSpec := fs.String("data", "mnist", "data whose test split is used: "+data.Specs)
	asJSON := fs.Bool("json", false, "print one JSON object instead of tables")
	batch := fs.Int("batch", 256, "examples per forward pass")
	threads := fs.Int("threads", 0, "worker goroutines (0: all cores)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if *batch < 1 {
		return usageError{"--batch must be at least 1"}
	}
	kernel.SetThreads(*threads)
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	_, test, err := data.Open(*dataSpec, data.Options{C: m.Input[0], H: m.Input[1], W: m.Input[2]})
	if err != nil {
		return err
	}
	if len(test.Classes) != len(m.Classes) {
		return fmt.Errorf("the model has %d classes, the data %s has %d", len(m.Classes), *dataSpec, len(test.Classes))
	}
	e := train.Evaluate(m, test, *batch)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(e)
	}
	fmt.Fprintf(stdout, "accuracy %.2f%% (%d of %d), loss %.4f\n\n", 100*e.Accuracy, int(e.Accuracy*float64(e.Examples)+0.5), e.Examples, e.Loss)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "class\taccuracy\t")
	for i, c := range e.Classes {
		fmt.Fprintf(tw, "%s\t%.2f%%\t\n", c, 100*e.PerClass[i])
	}
	tw.Flush()
	fmt.Fprintln(stdout, "\nconfusion matrix (rows: true class, columns: predicted):")
	tw = tabwriter.NewWriter(stdout, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for i := range e.Classes {
		fmt.Fprintf(tw, "%d\t", i)
	}
	fmt.Fprintln(tw)
	for i, row := range e.Confusion {
		if name := e.Classes[i]; name != fmt.Sprint(i) {
			fmt.Fprintf(tw, "%d %s\t", i, shortName(name))
		} else {
			fmt.Fprintf(tw, "%d\t", i)
		}
		for _, v := range row {
			fmt.Fprintf(tw, "%d\t", v)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func shortName(s string) string {
	if len(s) > 12 {
		s = s[:12]
	}
	return strings.ReplaceAll(s, " ", "_")
}

package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/convnet/convnet/nn"
)

func runSummary(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("summary", "[--model SPEC|PATH] [--input CxHxW] [--batch N]", "Prints every layer's output shape, parameter count, multiply-adds and activation memory, for a model spec or a saved model.", stdout)
	model := fs.String("model", LeNet5, "model spec, a file holding one, or a saved model")
	input := fs.String("input", "1x28x28", "input shape CxHxW (ignored for saved models)")
	activation := fs.String("activation", "", "replace every hidden activation with this one: "+orList(nn.HiddenActivations))
	classes := fs.Int("classes", 0, "check that the model ends with this many outputs (0: no check)")
	batch := fs.Int("batch", 1, "batch size for the totals")
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
	if err := checkActivation("--activation", *activation, nn.HiddenActivations); err != nil {
		return err
	}
	var m *nn.Model
	if isSavedModel(*model) {
		if m, err = loadModel(*model); err != nil {
			return err
		}
	} else {
		spec, err := readSpec(*model)
		if err != nil {
			return err
		}
		shape, err := parseShape(*input)
		if err != nil {
			return usageError{err.Error()}
		}
		names := make([]string, *classes)
		for i := range names {
			names[i] = strconv.Itoa(i)
		}
		if m, err = nn.NewModel(spec, shape, names, nn.SpecOptions{Activation: *activation}); err != nil {
			return err
		}
	}
	return nn.WriteSummary(stdout, m, *batch)
}

// isSavedModel reports whether path names a saved model file (ONNX or a
// native checkpoint) rather than a spec.
func isSavedModel(path string) bool { return isModelFile(path) }

// parseShape reads "CxHxW".
func parseShape(s string) ([]int, error) {
	parts := strings.Split(strings.ToLower(s), "x")
	if len(parts) != 3 {
		return nil, fmt.Errorf("--input %q: want CxHxW, e.g. 1x28x28", s)
	}
	shape := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--input %q: want CxHxW with positive whole numbers", s)
		}
		shape[i] = n
	}
	return shape, nil
}

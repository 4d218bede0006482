package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx"
	"github.com/convnet/convnet/optim"
	"github.com/convnet/convnet/train"
)

// LeNet5 is the default model: LeCun et al. 1998's LeNet-5 with ReLU and
// max pooling, as commonly trained today.
const LeNet5 = "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)"

// checkActivation returns a usage error unless name, the value of flag, is
// empty (no swap) or one of want, which the message lists.
func checkActivation(flag, name string, want []string) error {
	if name == "" || slices.Contains(want, name) {
		return nil
	}
	return usageError{fmt.Sprintf("%s takes %s, not %q", flag, orList(want), name)}
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train", "[flags]", "Trains a model and saves it after every epoch (atomically: an interrupted save keeps the previous file).\n\nModel spec layers:\n"+nn.SpecHelp()+"\nLearning-rate schedules:\n"+optim.ScheduleHelp, stdout)
	dataSpec := fs.String("data", "mnist", "training data: "+data.Specs)
	model := fs.String("model", LeNet5, "model spec, or a file holding one")
	activation := fs.String("activation", "", "replace every hidden activation of the model with this one: "+orList(nn.HiddenActivations))
	epochs := fs.Int("epochs", 10, "passes over the training set")
	batch := fs.Int("batch", 64, "examples per step")
	lr := fs.Float64("lr", 0, "base learning rate (0: the optimizer's default, 0.05 for the SGD family and 0.001 for adam and adamw)")
	optName := fs.String("optimizer", "momentum", "optimizer: "+strings.Join(optim.Names, ", "))
	momentum := fs.Float64("momentum", 0, "SGD momentum (0: the optimizer's default)")
	wd := fs.Float64("weight-decay", 0, "L2 weight decay (decoupled for adamw)")
	schedule := fs.String("schedule", "cosine", "learning-rate schedule (see above)")
	seed := fs.Uint64("seed", 1, "random seed for weights, batch order and augmentation")
	threads := fs.Int("threads", 0, "worker goroutines (0: all cores)")
	out := fs.String("out", "model.onnx", "where the model is saved, as ONNX")
	checkpoint := fs.String("checkpoint", "", "where the training state (weights, optimizer, step, random state) is saved after every epoch for --resume (default: OUT with .ckpt; \"none\" for none)")
	resumeFrom := fs.String("resume", "", "continue the run saved in this checkpoint (give the same flags; --epochs counts the whole run)")
	metrics := fs.String("metrics", "", "JSONL metrics file, one line per step and per epoch (default: OUT with .metrics.jsonl)")
	crop := fs.Int("crop", 0, "augment: random crop after zero-padding by this many pixels")
	flip := fs.Bool("flip", false, "augment: random horizontal flip")
	limit := fs.Int("limit", 0, "train on the first N examples only (0: all)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	healthSample := fs.Int("health", train.DefaultHealthSample, "layer health (sparsity, dead units, saturation, gradient norms) measured after every epoch on this many training examples; 0 turns it off")
	var ui uiFlag
	fs.Var(&ui, "ui", "serve the live dashboard while training: --ui at "+defaultUIAddr+", --ui=HOST:PORT elsewhere; it stays up after training until Ctrl-C")
	initFrom := fs.String("init", "", "start from the weights of this saved model, ONNX or native (fine-tuning); it must have the same layers, or, for an ONNX model from elsewhere, it is the model, whose input must hold as many values as the data's images (an MLP's (N, 784) reads 28x28 images flattened)")
	pos, err := parseFlags(fs, joinUIAddr(args))
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if err := checkActivation("--activation", *activation, nn.HiddenActivations); err != nil {
		return err
	}
	if *healthSample < 0 {
		return usageError{"--health must be 0 or more"}
	}
	if *healthSample == 0 {
		*healthSample = -1 // train.Config: negative turns health off
	}
	if *threads < 0 {
		return usageError{"--threads must be 0 or more"}
	}
	// train.Config reads zero epochs or batch as its default and ignores a
	// crop or limit below 1, so check here that each flag does what it says.
	switch {
	case *epochs < 1:
		return usageError{"--epochs must be at least 1"}
	case *batch < 1:
		return usageError{"--batch must be at least 1"}
	case *crop < 0:
		return usageError{"--crop must be 0 or more"}
	case *limit < 0:
		return usageError{"--limit must be 0 or more"}
	}
	kernel.SetThreads(*threads)
	spec, err := readSpec(*model)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(*out, filepath.Ext(*out))
	if *metrics == "" && *out != "" {
		*metrics = base + ".metrics.jsonl"
	}
	switch {
	case *checkpoint == "none":
		*checkpoint = ""
	case *checkpoint == "" && *out != "":
		*checkpoint = base + ".ckpt"
	}

	start := time.Now()
	trainSet, testSet, err := data.Open(*dataSpec, data.Options{})
	if err != nil {
		return err
	}
	if *limit > 0 && *limit < trainSet.Len() {
		trainSet = trainSet.Subset(*limit)
	}
	example := []int{trainSet.C, trainSet.H, trainSet.W}
	var src *nn.Model
	if *initFrom != "" {
		if src, err = loadInit(*initFrom, example); err != nil {
			return err
		}
	}
	// A model from elsewhere (imported ONNX) has no spec: it is trained as
	// it is, and its checkpoints are read back into it.
	foreign := src != nil && src.Spec == ""
	var m *nn.Model
	if foreign {
		if len(src.Classes) != len(trainSet.Classes) {
			return fmt.Errorf("--init %s: the model has %d outputs, the data %s has %d classes", *initFrom, len(src.Classes), *dataSpec, len(trainSet.Classes))
		}
		src.Classes = trainSet.Classes
		m = src
	} else {
		if m, err = nn.NewModel(spec, example, trainSet.Classes, nn.SpecOptions{Activation: *activation}); err != nil {
			return err
		}
		m.Graph.Init(*seed)
		if src != nil {
			if err := nn.CopyWeights(m, src); err != nil {
				return fmt.Errorf("--init %s: %w", *initFrom, err)
			}
		}
	}
	var resume *nn.Checkpoint
	switch {
	case *resumeFrom != "" && foreign:
		resume, err = nn.LoadCheckpointInto(*resumeFrom, m)
	case *resumeFrom != "":
		resume, err = nn.LoadCheckpoint(*resumeFrom)
	}
	if err != nil {
		return err
	}
	progress := stderr
	if *quiet {
		progress = nil
	}
	fmt.Fprintf(stdout, "data %s: %d training and %d test images of %dx%dx%d, %d classes (loaded in %s)\n", *dataSpec, trainSet.Len(), testSet.Len(),
		trainSet.C, trainSet.H, trainSet.W, len(trainSet.Classes), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "model: %s\n", describeModel(m))
	if *lr == 0 {
		*lr = optim.DefaultLR(*optName)
	}
	fmt.Fprintf(stdout, "training %s, batch %d, %s lr %g (%s), seed %d, %s\n", plural(*epochs, "epoch"), *batch, *optName, *lr, *schedule, *seed, plural(kernel.Threads(), "thread"))
	cfg := train.Config{
		Epochs: *epochs, Batch: *batch, LR: *lr, Optimizer: *optName, Momentum: *momentum, WeightDecay: *wd,
		Schedule: *schedule, Seed: *seed, Out: *out, Metrics: *metrics, Progress: progress, Log: stdout,
		HealthSample: *healthSample,
		SaveModel:    saveModel, Checkpoint: *checkpoint, Resume: resume,
	}
	if *crop > 0 || *flip {
		cfg.Augment = &data.Augment{Pad: *crop, Flip: *flip}
	}
	var dash *dashboard
	if ui.on {
		if dash, err = startTrainingUI(ui.addr, m, testSet, &cfg, *out, stdout); err != nil {
			return err
		}
	}
	res, err := train.Run(m, trainSet, testSet, cfg)
	if dash != nil {
		defer dash.finish(err, stdout)
	}
	if err != nil {
		return err
	}
	last := res.Epochs[len(res.Epochs)-1]
	fmt.Fprintf(stdout, "test accuracy %.2f%% after %s in %s; model saved to %s\n", 100*last.TestAcc, plural(last.Epoch, "epoch"), res.Time.Round(time.Second), *out)
	return nil
}

// loadInit reads the --init model for data whose examples have shape
// example: a native checkpoint, a model convnet saved as ONNX, or an ONNX
// model from elsewhere, whose input, when it is not an image (an MLP's
// (N, 784)), reads the examples flattened.
func loadInit(path string, example []int) (*nn.Model, error) {
	if isCheckpoint(path) {
		return nn.LoadModel(path)
	}
	m, err := onnx.LoadNNWith(path, onnx.ImportOptions{Example: example})
	var fe *onnx.FormatError
	if errors.As(err, &fe) && strings.HasPrefix(fe.Msg, "not an ONNX model") {
		return loadModel(path) // its error says the file is neither format
	}
	if err != nil {
		return nil, fmt.Errorf("--init: %w", err)
	}
	return m, nil
}

// readSpec takes a model spec from the flag, or from the file it names.
func readSpec(arg string) (string, error) {
	if strings.ContainsAny(arg, "( ") {
		return arg, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		if os.IsNotExist(err) && !strings.ContainsAny(arg, `./\`) {
			return arg, nil // a one-word spec such as "flatten"; BuildGraph judges it
		}
		if os.IsNotExist(err) {
			// No layer name has a dot or a slash: this was meant as a file.
			return "", fmt.Errorf("--model %s: no such file (and not a model spec)", arg)
		}
		return "", err
	}
	if bytes.HasPrefix(b, []byte("CONVNET")) || isModelFile(arg) {
		return "", fmt.Errorf("%s is a saved model, not a model spec", arg)
	}
	return string(b), nil
}

// describeModel prints the model's layers and parameter count on one line.
func describeModel(m *nn.Model) string {
	var parts []string
	params := 0
	for _, n := range m.Graph.Nodes[1:] {
		parts = append(parts, nn.Describe(n.Layer))
		for _, p := range n.Layer.Params() {
			params += p.Value.Len()
		}
	}
	return fmt.Sprintf("%s (%d parameters)", strings.Join(parts, " "), params)
}

// plural writes "1 epoch", "2 epochs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

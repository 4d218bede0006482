// Command convnet trains, evaluates and inspects convolutional neural
// networks, in pure Go.
//
//	convnet train                  train LeNet-5 on MNIST (no download needed)
//	convnet eval --model M         accuracy, per-class accuracy, confusion matrix
//	convnet predict --model M X... top classes of images
//	convnet summary [--model M]    layers, shapes, parameters, mult-adds
//
// Run "convnet help COMMAND" for a command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand of the CLI.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"train", "train a model (default: LeNet-5 on MNIST)", runTrain},
	{"eval", "evaluate a saved model: accuracy, per-class accuracy, confusion matrix", runEval},
	{"predict", "print the top classes of images for a saved model", runPredict},
	{"summary", "print every layer's output shape, parameters, mult-adds and memory", runSummary},
	{"run", "run an ONNX model on TensorProto files (.pb), writing its outputs as .pb", runRun},
	{"conformance", "run ONNX test cases (model.onnx + test_data_set_*) and compare at the ONNX tolerance", runConformance},
	{"inspect", "write activation maps, filters, saliency and an index.html for one image", runInspect},
	{"stats", "print every layer's health: sparsity, dead units, saturation, gradient norms", runStats},
	{"compare", "train one net once per activation and write a report: convergence, gradient flow, sparsity, cost", runCompare},
	{"ui", "serve the dashboard for a trained model: activation maps, filters, confusion, drawing canvas", runUI},
	{"bench", "measure the engine: FMA peak, conv, activations, LeNet-5 and cifarnet speed (JSON lines)", runBench},
	{"serve", "serve a model over HTTP with the Open Inference Protocol (KServe v2), batching requests", runServe},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a mistake on the command line: exit status 2, as flag does.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1 {
		mainUsage(stdout)
		return 0
	}
	name := args[0]
	if name == "help" {
		name, args = args[1], []string{args[1], "--help"}
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.As(err, new(usageError)):
				fmt.Fprintf(stderr, "convnet %s: %v\nRun 'convnet %s --help' for usage.\n", name, err, name)
				return 2
			}
			fmt.Fprintf(stderr, "convnet %s: %v\n", name, oneLine(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "convnet: unknown command %q\n", name)
	mainUsage(stderr)
	return 2
}

func mainUsage(w io.Writer) {
	fmt.Fprintln(w, "convnet trains, evaluates and inspects convolutional neural networks, in pure Go.")
	fmt.Fprintln(w, "\nUsage:\n  convnet COMMAND [flags]\n\nCommands:")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = fmt.Sprintf("  %-*s  %s", width, c.name, c.summary)
	}
	sort.Strings(names)
	fmt.Fprintln(w, strings.Join(names, "\n"))
	fmt.Fprintln(w, "\nRun 'convnet help COMMAND' or 'convnet COMMAND --help' for a command's flags.")
}

// flagSet is a command's flags with its help text.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlags makes a flag set that reports errors instead of exiting and
// prints, for --help, a usage text with a synopsis and the defaults.
func newFlags(name, synopsis, about string, stdout io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // errors are reported by run, in one line
	help := func() {
		fmt.Fprintf(stdout, "Usage: convnet %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return &flagSet{fs, help}
}

// parseFlags parses args, turning flag's errors into usage errors and
// --help into flag.ErrHelp after printing the usage. Flags may follow
// positional arguments ("predict a.png --model m").
func parseFlags(fs *flagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, flag.ErrHelp
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// oneLine keeps an error to one line, as the CLI promises.
func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
}

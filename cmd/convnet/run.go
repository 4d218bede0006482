package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/convnet/convnet/internal/atomicfile"
	"github.com/convnet/convnet/onnx"
)

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return fmt.Sprint(*r) }
func (r *repeated) Set(s string) error { *r = append(*r, s); return nil }

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "--model M.onnx --input A.pb [--input B.pb ...] --out DIR", "Runs an ONNX model on ONNX TensorProto files, the way the ONNX test data stores tensors. The inputs bind in\norder to the graph inputs that have no initializer; the outputs are written to DIR/output_0.pb,\noutput_1.pb, ... in graph output order.", stdout)
	model := fs.String("model", "", "ONNX model file")
	var inputs repeated
	fs.Var(&inputs, "input", "TensorProto file for the next graph input (repeat for several)")
	out := fs.String("out", "", "folder for output_0.pb, output_1.pb, ...")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if *model == "" || *out == "" {
		return usageError{"--model and --out are required"}
	}
	m, err := onnx.LoadModel(*model)
	if err != nil {
		return err
	}
	p, err := onnx.Compile(m)
	if err != nil {
		return err
	}
	var ins []*onnx.Tensor
	for _, path := range inputs {
		t, err := onnx.LoadTensor(path)
		if err != nil {
			return err
		}
		ins = append(ins, t)
	}
	outs, err := p.Run(ins)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for i, t := range outs {
		b, err := onnx.MarshalTensor(t, p.Outputs[i].Name)
		if err != nil {
			return err
		}
		path := filepath.Join(*out, fmt.Sprintf("output_%d.pb", i))
		if err := atomicfile.Write(path, 0o644, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s %v\n", path, p.Outputs[i].Name, t.Shape)
	}
	return nil
}

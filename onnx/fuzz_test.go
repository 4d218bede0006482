package onnx

import (
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"
)

// FuzzReadModel feeds arbitrary bytes to the reader, the compiler, the
// importer and, for graphs that compile, the executor on small inputs: a
// corrupt file must be an error, never a panic or a huge allocation. The
// seed corpus in testdata/fuzz/FuzzReadModel holds exported and PyTorch
// models and some conformance cases; testdata/pytorch, testdata/finetune
// and the trainable models of import_train_test.go add theirs.
func FuzzReadModel(f *testing.F) {
	maxValues, maxImportValues = 1<<20, 1<<16
	for _, tc := range trainableModels() {
		if b, err := proto.Marshal(tc.mp); err == nil {
			f.Add(b)
		}
	}
	for _, glob := range []string{"testdata/pytorch/*/model.onnx", "testdata/finetune/*/model.onnx"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadModel(b)
		if err != nil {
			return
		}
		Import(m)
		ImportWith(m, ImportOptions{Example: []int{1, 4, 4}})
		p, err := Compile(m)
		if err != nil {
			return
		}
		var ins []*Tensor
		for _, in := range p.Inputs {
			shape := make([]int, len(in.Shape))
			for i, d := range in.Shape {
				shape[i] = d
				if d < 0 || d > 64 {
					shape[i] = 1
				}
			}
			if size(shape) > 1<<16 {
				return
			}
			t := NewFloat(shape...)
			if in.Type != 0 && in.Type != t.Type {
				t = NewInt(shape...)
				t.Type = in.Type
			}
			ins = append(ins, t)
		}
		p.Run(ins)
	})
}

// FuzzReadTensor checks the TensorProto reader, which also decodes every
// initializer.
func FuzzReadTensor(f *testing.F) {
	files, _ := filepath.Glob("testdata/pytorch/*/test_data_set_0/*.pb")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ReadTensor(b)
		if err != nil {
			return
		}
		if x.IsFloat() && len(x.Float) != x.Len() || !x.IsFloat() && len(x.Int) != x.Len() {
			t.Fatalf("%v holds %d+%d values", x, len(x.Float), len(x.Int))
		}
		if _, err := proto.Marshal(x.Proto("t")); err != nil {
			t.Fatal(err)
		}
	})
}

package onnx

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx/onnxpb"
	"github.com/convnet/convnet/tensor"
)

// exportSpecs cover every layer Export writes.
var exportSpecs = []struct {
	spec  string
	input []int
}{
	{"conv(4,3,pad=1) batchnorm relu residual(conv(4,3,pad=1) batchnorm prelu conv(4,3,pad=1)) maxpool(2) conv(6,3,stride=2,pad=1:0:1:0) elu avgpool(2,include_pad=true) flatten dropout(0.3) dense(16) gelu dense(10)", []int{3, 12, 12}},
	{"conv(8,3) leakyrelu(0.2) conv(8,3,groups=8,dilation=2) clip(0,6) hardsigmoid convtranspose(4,3,stride=2,outpad=1) silu globalavgpool flatten dense(10) logsoftmax", []int{2, 14, 14}},
	{"conv(4,3,bias=false) selu maxpool(3,stride=2,pad=1,ceil=true) avgpool(2,ceil=true) globalmaxpool flatten prelu(shared=true) dense(10) tanh dense(10) sigmoid dense(10) softmax", []int{1, 11, 9}},
	{"conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)", []int{1, 28, 28}},
}

// testModel builds a model with random weights and batch-norm statistics.
func testModel(t testing.TB, spec string, input []int) *nn.Model {
	t.Helper()
	m, err := nn.NewModel(spec, input, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(7)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range m.Graph.State() {
		for i := range p.Value.Data {
			p.Value.Data[i] = 0.5 + rng.Float32()
		}
	}
	return m
}

func randomInput(n int, shape []int, seed uint64) *tensor.Tensor {
	x := tensor.New(append([]int{n}, shape...)...)
	rng := rand.New(rand.NewPCG(seed, 3))
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

func maxAbsDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// TestExportImportBitIdentical exports models, reads them back, and checks
// that the imported model gives the same outputs bit for bit; the
// executor on the exported graph, and the import of the graph without its
// convnet metadata, agree within float32 rounding.
func TestExportImportBitIdentical(t *testing.T) {
	for _, tc := range exportSpecs {
		m := testModel(t, tc.spec, tc.input)
		x := randomInput(3, tc.input, 5)
		want := m.Graph.Forward(x, false).Clone()

		b, err := Marshal(m)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		mp, err := ReadModel(b)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Import(mp)
		if err != nil {
			t.Fatalf("%s: import: %v", tc.spec, err)
		}
		if back.Spec != m.Spec || strings.Join(back.Classes, ",") != strings.Join(m.Classes, ",") || !tensor.EqualShape(back.Input, m.Input) {
			t.Errorf("%s: imported spec %q classes %v input %v", tc.spec, back.Spec, back.Classes, back.Input)
		}
		got := back.Graph.Forward(x, false)
		for i := range want.Data {
			if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
				t.Fatalf("%s: imported output %d is %v, want %v bit for bit", tc.spec, i, got.Data[i], want.Data[i])
			}
		}

		p, err := Compile(mp)
		if err != nil {
			t.Fatalf("%s: compile: %v", tc.spec, err)
		}
		outs, err := p.Run([]*Tensor{{Shape: x.Shape, Type: onnxpb.TensorProto_FLOAT, Float: x.Data}})
		if err != nil {
			t.Fatalf("%s: run: %v", tc.spec, err)
		}
		if d := maxAbsDiff(outs[0].Float, want.Data); d > 1e-5 || !tensor.EqualShape(outs[0].Shape, want.Shape) {
			t.Errorf("%s: executor output %v differs by %g", tc.spec, outs[0].Shape, d)
		}

		// Without metadata, the generic importer maps the nodes onto layers.
		mp.MetadataProps = nil
		if foreign, err := Import(mp); err != nil {
			if !strings.Contains(tc.spec, "gelu") && !strings.Contains(tc.spec, "silu") {
				t.Errorf("%s: generic import: %v", tc.spec, err)
			}
		} else {
			got := foreign.Graph.Forward(x, false)
			if d := maxAbsDiff(got.Data, want.Data); d > 1e-5 {
				t.Errorf("%s: generic import differs by %g", tc.spec, d)
			}
		}
	}
}

// TestExportPassesChecker runs onnx.checker (Debian's python3-onnx) with
// full_check on exported models.
func TestExportPassesChecker(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import onnx").Run(); err != nil {
		t.Skip("needs /usr/bin/python3 with onnx (Debian: apt-get install python3-onnx)")
	}
	dir := t.TempDir()
	for i, tc := range exportSpecs {
		path := filepath.Join(dir, "m"+string(rune('0'+i))+".onnx")
		if err := SaveModel(path, testModel(t, tc.spec, tc.input)); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, "-c", "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); assert m.opset_import[0].version >= 13", path).CombinedOutput()
		if err != nil {
			t.Errorf("%s: onnx.checker: %v\n%s", tc.spec, err, out)
		}
	}
	// Models imported from PyTorch, saved again (no spec: every layer
	// becomes nodes, constants included).
	dirs, _ := filepath.Glob("testdata/pytorch/*")
	for _, d := range dirs {
		m, err := LoadNN(filepath.Join(d, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.Base(d)+".onnx")
		if err := SaveModel(path, m); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(py, "-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path).CombinedOutput(); err != nil {
			t.Errorf("%s re-exported: onnx.checker: %v\n%s", d, err, out)
		}
	}
}

// TestPyTorchModels runs the models testdata/export_models.py exported
// from PyTorch 1.13, through the executor and through Import, against
// PyTorch's outputs.
func TestPyTorchModels(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/pytorch/*")
	if len(dirs) < 4 {
		t.Fatalf("want the 4 PyTorch models in testdata/pytorch, found %d", len(dirs))
	}
	for _, dir := range dirs {
		r := RunCase(dir)
		if r.Status != Pass || r.MaxDiff > 1e-4 {
			t.Errorf("%s: executor: %s %s (max abs diff %g)", dir, r.Status, r.Reason, r.MaxDiff)
		}
		t.Logf("%s: executor max abs diff %.3g", filepath.Base(dir), r.MaxDiff)
		mp, err := LoadModel(filepath.Join(dir, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Import(mp)
		if err != nil {
			t.Errorf("%s: import: %v", dir, err)
			continue
		}
		in, err := LoadTensor(filepath.Join(dir, "test_data_set_0", "input_0.pb"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := LoadTensor(filepath.Join(dir, "test_data_set_0", "output_0.pb"))
		if err != nil {
			t.Fatal(err)
		}
		got := m.Graph.Forward(tensor.FromData(in.Float, in.Shape...), false)
		d := maxAbsDiff(got.Data, want.Float)
		if d > 1e-4 || !tensor.EqualShape(got.Shape, want.Shape) {
			t.Errorf("%s: imported model: shape %v, max abs diff %g", dir, got.Shape, d)
		}
		t.Logf("%s: imported nn.Model max abs diff %.3g", filepath.Base(dir), d)

		// The imported model saved as ONNX again reads back bit for bit.
		b, err := Marshal(m)
		if err != nil {
			t.Fatalf("%s: export of the imported model: %v", dir, err)
		}
		mp2, err := ReadModel(b)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Import(mp2)
		if err != nil {
			t.Fatalf("%s: re-import: %v", dir, err)
		}
		want2 := got.Clone()
		got2 := m2.Graph.Forward(tensor.FromData(in.Float, in.Shape...), false)
		for i := range want2.Data {
			if math.Float32bits(got2.Data[i]) != math.Float32bits(want2.Data[i]) {
				t.Fatalf("%s: re-imported output %d is %v, want %v", dir, i, got2.Data[i], want2.Data[i])
			}
		}
	}
}

// TestConformanceData runs the ONNX conformance data of Debian's
// libonnx-testdata: no case may fail (cases with operators or features
// convnet lacks are unsupported, and counted).
func TestConformanceData(t *testing.T) {
	root := "/usr/share/libonnx-testdata/data"
	if _, err := os.Stat(root); err != nil {
		t.Skip("needs Debian's libonnx-testdata")
	}
	counts := map[string]int{}
	for _, sub := range []string{"node", "pytorch-converted", "pytorch-operator", "simple"} {
		dirs, _ := filepath.Glob(filepath.Join(root, sub, "*"))
		for _, d := range dirs {
			if !IsCase(d) {
				continue
			}
			r := RunCase(d)
			counts[r.Status]++
			if r.Status == Fail {
				t.Errorf("%s: %s", d, r.Reason)
			}
		}
	}
	t.Logf("%d pass, %d fail, %d unsupported", counts[Pass], counts[Fail], counts[Unsupported])
	if counts[Pass] < 200 {
		t.Errorf("only %d cases pass", counts[Pass])
	}
}

func TestUnsupportedOperatorIsAnError(t *testing.T) {
	mp := &onnxpb.ModelProto{
		OpsetImport: []*onnxpb.OperatorSetIdProto{{Version: ptr(int64(13))}},
		Graph: &onnxpb.GraphProto{
			Node:   []*onnxpb.NodeProto{{OpType: ptr("LSTM"), Name: ptr("rnn1"), Input: []string{"x"}, Output: []string{"y"}}},
			Input:  []*onnxpb.ValueInfoProto{{Name: ptr("x")}},
			Output: []*onnxpb.ValueInfoProto{{Name: ptr("y")}},
		},
	}
	_, err := Compile(mp)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "LSTM") || !strings.Contains(err.Error(), "rnn1") || !strings.Contains(err.Error(), "opset 13") {
		t.Errorf("got %v; want an UnsupportedError naming LSTM, rnn1 and opset 13", err)
	}
	if _, err := Import(mp); err == nil {
		t.Error("Import accepted an LSTM")
	}
}

func TestTensorRoundTrip(t *testing.T) {
	for _, x := range []*Tensor{
		{Shape: []int{2, 3}, Type: onnxpb.TensorProto_FLOAT, Float: []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.25}},
		{Shape: []int{3}, Type: onnxpb.TensorProto_INT64, Int: []int64{-1, 0, 1 << 40}},
		{Shape: []int{2}, Type: onnxpb.TensorProto_BOOL, Int: []int64{1, 0}},
		{Shape: []int{2}, Type: onnxpb.TensorProto_INT8, Int: []int64{-128, 127}},
	} {
		b, err := MarshalTensor(x, "t")
		if err != nil {
			t.Fatal(err)
		}
		y, err := ReadTensor(b)
		if err != nil {
			t.Fatal(err)
		}
		if d, err := Compare(y, x); err != nil || d != 0 {
			t.Errorf("%v: round trip gives %v (%v)", x, y, err)
		}
	}
}

func TestCorruptTensorIsAnError(t *testing.T) {
	for name, p := range map[string]*onnxpb.TensorProto{
		"short raw":      {Dims: []int64{4}, DataType: ptr(int32(1)), RawData: []byte{1, 2, 3}},
		"huge dims":      {Dims: []int64{1 << 30, 1 << 30}, DataType: ptr(int32(1)), RawData: []byte{1, 2, 3, 4}},
		"negative dim":   {Dims: []int64{-1}, DataType: ptr(int32(1))},
		"float count":    {Dims: []int64{3}, DataType: ptr(int32(1)), FloatData: []float32{1}},
		"string tensors": {Dims: []int64{1}, DataType: ptr(int32(8)), StringData: [][]byte{[]byte("x")}},
		"external":       {Dims: []int64{1}, DataType: ptr(int32(1)), DataLocation: onnxpb.TensorProto_EXTERNAL.Enum()},
	} {
		b, _ := proto.Marshal(p)
		if _, err := ReadTensor(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCompareUsesTheONNXTolerance(t *testing.T) {
	want := &Tensor{Shape: []int{3}, Type: onnxpb.TensorProto_FLOAT, Float: []float32{1, 100, float32(math.NaN())}}
	ok := &Tensor{Shape: []int{3}, Type: onnxpb.TensorProto_FLOAT, Float: []float32{1.0009, 100.09, float32(math.NaN())}}
	if d, err := Compare(ok, want); err != nil || d < 0.08 {
		t.Errorf("within rtol 1e-3: %v, max diff %g", err, d)
	}
	bad := &Tensor{Shape: []int{3}, Type: onnxpb.TensorProto_FLOAT, Float: []float32{1.0011, 100, float32(math.NaN())}}
	if _, err := Compare(bad, want); err == nil {
		t.Error("1.0011 vs 1 passed")
	}
	if _, err := Compare(&Tensor{Shape: []int{1, 3}, Type: onnxpb.TensorProto_FLOAT, Float: want.Float}, want); err == nil {
		t.Error("a shape mismatch passed")
	}
}

// TestHugeSpecIsAnError checks that a spec in metadata asking for more
// parameters than the file holds fails before allocating them.
func TestHugeSpecIsAnError(t *testing.T) {
	m := testModel(t, "flatten dense(10)", []int{1, 4, 4})
	mp, err := Export(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range mp.MetadataProps {
		if kv.GetKey() == MetaSpec {
			kv.Value = ptr("flatten dense(2000000000) dense(10)")
		}
	}
	if _, err := Import(mp); err == nil || !strings.Contains(err.Error(), "parameter values") {
		t.Errorf("got %v; want an error about the parameter count", err)
	}
}

// TestRunConcurrently runs one Program from several goroutines (run it
// with -race): Run keeps no state between calls.
func TestRunConcurrently(t *testing.T) {
	mp, err := LoadModel("testdata/pytorch/resblock_bn/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(mp)
	if err != nil {
		t.Fatal(err)
	}
	in, err := LoadTensor("testdata/pytorch/resblock_bn/test_data_set_0/input_0.pb")
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Run([]*Tensor{in})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := p.Run([]*Tensor{in})
			if err == nil {
				_, err = Compare(got[0], want[0])
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

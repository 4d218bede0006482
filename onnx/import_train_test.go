package onnx

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx/onnxpb"
	"github.com/convnet/convnet/tensor"
)

// graphBuilder writes small ONNX graphs in code for the import tests: one
// float input with a symbolic batch axis, random weights, nodes named by
// their outputs.
type graphBuilder struct {
	g   *onnxpb.GraphProto
	rng *rand.Rand
	n   int
}

func newGraphBuilder(input ...int) *graphBuilder {
	dims := []*onnxpb.TensorShapeProto_Dimension{{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}}}
	for _, d := range input {
		dims = append(dims, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	in := &onnxpb.ValueInfoProto{Name: ptr("x"), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
		ElemType: ptr(int32(onnxpb.TensorProto_FLOAT)), Shape: &onnxpb.TensorShapeProto{Dim: dims}}}}}
	return &graphBuilder{g: &onnxpb.GraphProto{Name: ptr("test"), Input: []*onnxpb.ValueInfoProto{in}}, rng: rand.New(rand.NewPCG(11, 12))}
}

// node adds op on ins and returns its output's name.
func (b *graphBuilder) node(op string, ins []string, attrs ...*onnxpb.AttributeProto) string {
	b.n++
	out := fmt.Sprintf("%s_%d", strings.ToLower(op), b.n)
	b.g.Node = append(b.g.Node, &onnxpb.NodeProto{OpType: ptr(op), Name: ptr(out), Input: ins, Output: []string{out}, Attribute: attrs})
	return out
}

// weight adds a random float initializer scaled by 1/√fan-in.
func (b *graphBuilder) weight(shape ...int) string {
	b.n++
	t := NewFloat(shape...)
	scale := 1 / math.Sqrt(float64(t.Len()/shape[0]))
	for i := range t.Float {
		t.Float[i] = float32(b.rng.NormFloat64() * scale)
	}
	name := fmt.Sprintf("w_%d", b.n)
	b.g.Initializer = append(b.g.Initializer, t.Proto(name))
	return name
}

func (b *graphBuilder) floats(v ...float32) string {
	b.n++
	name := fmt.Sprintf("c_%d", b.n)
	b.g.Initializer = append(b.g.Initializer, (&Tensor{Shape: []int{len(v)}, Type: onnxpb.TensorProto_FLOAT, Float: v}).Proto(name))
	return name
}

func (b *graphBuilder) ints(v ...int64) string {
	b.n++
	name := fmt.Sprintf("i_%d", b.n)
	b.g.Initializer = append(b.g.Initializer, (&Tensor{Shape: []int{len(v)}, Type: onnxpb.TensorProto_INT64, Int: v}).Proto(name))
	return name
}

// gemm adds a dense layer of out units on a (N, in) value.
func (b *graphBuilder) gemm(x string, in, out int) string {
	return b.node("Gemm", []string{x, b.weight(out, in), b.weight(out)}, intAttr("transB", 1))
}

// conv adds a 3x3 convolution with padding 1.
func (b *graphBuilder) conv(x string, in, out int) string {
	return b.node("Conv", []string{x, b.weight(out, in, 3, 3), b.weight(out)}, ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1))
}

func (b *graphBuilder) model(out string, opset int64) *onnxpb.ModelProto {
	b.g.Output = []*onnxpb.ValueInfoProto{{Name: ptr(out)}}
	return &onnxpb.ModelProto{IrVersion: ptr(int64(8)), OpsetImport: []*onnxpb.OperatorSetIdProto{{Domain: ptr(""), Version: ptr(opset)}}, Graph: b.g}
}

// trainableModels are graphs with the operators whose conversion to nn
// layers fine-tuning needs, each ending in 5 class scores. example is the
// data's (C, H, W) when the model's input is not an image.
func trainableModels() []struct {
	name    string
	mp      *onnxpb.ModelProto
	example []int
} {
	type tc = struct {
		name    string
		mp      *onnxpb.ModelProto
		example []int
	}
	var cases []tc

	// Transpose and general Reshape: channels last, then a (C, H·W) view
	// transposed back.
	b := newGraphBuilder(2, 4, 4)
	h := b.conv("x", 2, 3)
	h = b.node("Transpose", []string{h}, ints("perm", 0, 2, 3, 1)) // (N, 4, 4, 3)
	h = b.node("Reshape", []string{h, b.ints(0, 16, 3)})
	h = b.node("Transpose", []string{h}, ints("perm", 0, 2, 1)) // (N, 3, 16)
	h = b.node("Relu", []string{h})
	h = b.node("Reshape", []string{h, b.ints(-1, 48)})
	cases = append(cases, tc{"transpose reshape", b.model(b.gemm(h, 48, 5), 13), nil})

	// Pad in its three modes, with a crop, as inputs (opset 13) ...
	b = newGraphBuilder(2, 5, 5)
	h = b.node("Pad", []string{"x", b.ints(0, 0, 1, 2, 0, 0, 2, 1)}, stringAttr("mode", "reflect"))
	h = b.conv(h, 2, 3)
	h = b.node("Pad", []string{h, b.ints(0, 0, 2, 0, 0, 0, 1, 3)}, stringAttr("mode", "edge"))
	h = b.node("Tanh", []string{h})
	h = b.node("Pad", []string{h, b.ints(0, 1, 0, -1, 0, 0, 1, 1), b.floats(0.5)}) // (N, 4, 12, 11)
	h = b.node("Flatten", []string{h})
	cases = append(cases, tc{"pad modes", b.model(b.gemm(h, 4*12*11, 5), 13), nil})

	// ... and as attributes (opset 9).
	b = newGraphBuilder(1, 4, 4)
	h = b.node("Pad", []string{"x"}, ints("pads", 0, 0, 1, 1, 0, 0, 1, 1), floatAttr("value", -1))
	h = b.node("Flatten", []string{h})
	cases = append(cases, tc{"pad opset 9", b.model(b.gemm(h, 36, 5), 9), nil})

	// Softmax over the channels gating the features (two computed values
	// multiplied), log-softmax over the rows.
	b = newGraphBuilder(3, 4, 4)
	f := b.conv("x", 3, 4)
	g := b.node("Softmax", []string{f}, intAttr("axis", 1))
	h = b.node("Mul", []string{f, g})
	h = b.node("LogSoftmax", []string{h}, intAttr("axis", -2))
	h = b.node("Flatten", []string{h})
	cases = append(cases, tc{"softmax axes", b.model(b.gemm(h, 64, 5), 13), nil})

	// Before opset 13 Softmax normalises everything from axis on.
	b = newGraphBuilder(3, 4, 4)
	h = b.conv("x", 3, 2)
	h = b.node("Softmax", []string{h}, intAttr("axis", 2))
	h = b.node("Flatten", []string{h})
	cases = append(cases, tc{"softmax opset 11", b.model(b.gemm(h, 32, 5), 11), nil})

	// Sub, Div, Mul and Add of computed values, with broadcasting: the
	// features centred on their channel means and scaled, x·x of one value.
	b = newGraphBuilder(3, 4, 4)
	f = b.conv("x", 3, 4)
	m := b.node("GlobalAveragePool", []string{f}) // (N, 4, 1, 1)
	c := b.node("Sub", []string{f, m})
	sq := b.node("Mul", []string{m, m})
	d := b.node("Add", []string{sq, b.floats(1)})
	h = b.node("Div", []string{c, d})
	s := b.node("Sigmoid", []string{f})
	h = b.node("Add", []string{h, s})
	h = b.node("Mul", []string{b.node("Sub", []string{s, h}), h})
	h = b.node("Flatten", []string{h})
	cases = append(cases, tc{"binary broadcast", b.model(b.gemm(h, 64, 5), 13), nil})

	// Concat along the rows, the columns (a value joined to itself) and
	// the channels.
	b = newGraphBuilder(2, 4, 4)
	f = b.conv("x", 2, 3)
	g = b.node("Tanh", []string{f})
	h = b.node("Concat", []string{f, g}, intAttr("axis", 2))  // (N, 3, 8, 4)
	h = b.node("Concat", []string{h, h}, intAttr("axis", -1)) // (N, 3, 8, 8)
	h = b.node("Concat", []string{h, h}, intAttr("axis", 1))  // (N, 6, 8, 8)
	h = b.node("Flatten", []string{h})
	cases = append(cases, tc{"concat axes", b.model(b.gemm(h, 384, 5), 13), nil})

	// Squeeze and Unsqueeze as inputs (opset 13) and attributes (opset 11).
	for _, opset := range []int64{13, 11} {
		b = newGraphBuilder(2, 4, 4)
		f = b.conv("x", 2, 3)
		axes := func(v ...int64) ([]string, []*onnxpb.AttributeProto) {
			if opset >= 13 {
				return []string{b.ints(v...)}, nil
			}
			a := make([]int, len(v))
			for i, x := range v {
				a[i] = int(x)
			}
			return nil, []*onnxpb.AttributeProto{ints("axes", a...)}
		}
		in, at := axes(2, 3)
		p := b.node("Squeeze", append([]string{b.node("GlobalAveragePool", []string{f})}, in...), at...) // (N, 3)
		in, at = axes(-1)
		p = b.node("Unsqueeze", append([]string{p}, in...), at...) // (N, 3, 1)
		in, at = axes(2)
		p = b.node("Unsqueeze", append([]string{p}, in...), at...) // (N, 3, 1, 1)
		h = b.node("Flatten", []string{b.node("Mul", []string{f, p})})
		cases = append(cases, tc{fmt.Sprintf("squeeze opset %d", opset), b.model(b.gemm(h, 48, 5), opset), nil})
	}

	// MatMul along the last axis of a channels-last map, and of a flat
	// vector, each with the Add of its bias (PyTorch's Linear on 3-D and,
	// as other exporters write it, 2-D tensors).
	b = newGraphBuilder(2, 4, 4)
	h = b.node("Transpose", []string{b.conv("x", 2, 3)}, ints("perm", 0, 2, 3, 1))
	h = b.node("Add", []string{b.node("MatMul", []string{h, b.weight(3, 6)}), b.weight(6)}) // (N, 4, 4, 6)
	h = b.node("Flatten", []string{b.node("Relu", []string{h})})
	cases = append(cases, tc{"matmul bias", b.model(b.node("Add", []string{b.weight(5), b.node("MatMul", []string{h, b.weight(96, 5)})}), 13), nil})

	// MatMul of two computed values, per channel: attention of the rows of
	// a map over each other (softmax(f·fᵀ)·f), a product of one value with
	// itself, and a one-channel map against the three channels, broadcast.
	b = newGraphBuilder(2, 4, 4)
	f = b.node("Tanh", []string{b.conv("x", 2, 3)}) // (N, 3, 4, 4)
	h = b.node("MatMul", []string{f, b.node("Transpose", []string{f}, ints("perm", 0, 1, 3, 2))})
	h = b.node("MatMul", []string{b.node("Softmax", []string{h}, intAttr("axis", -1)), f})
	h = b.node("Tanh", []string{b.node("MatMul", []string{h, h})})
	h = b.node("MatMul", []string{b.node("Tanh", []string{b.conv("x", 2, 1)}), h}) // (N, 1, 4, 4)·(N, 3, 4, 4)
	h = b.node("Flatten", []string{h})
	cases = append(cases, tc{"matmul of computed values", b.model(b.gemm(h, 48, 5), 13), nil})

	// An MLP on flat (N, 16) inputs, trained on 1x4x4 images.
	b = newGraphBuilder(16)
	h = b.node("Relu", []string{b.gemm("x", 16, 12)})
	cases = append(cases, tc{"mlp", b.model(b.gemm(h, 12, 5), 13), []int{1, 4, 4}})
	return cases
}

// TestImportForTraining imports each trainable model, checks that the nn
// graph gives the executor's outputs, that the model saved as ONNX reads
// back with the same outputs, and that a few SGD steps lower the loss.
func TestImportForTraining(t *testing.T) {
	for _, tc := range trainableModels() {
		p, err := Compile(tc.mp)
		if err != nil {
			t.Fatalf("%s: compile: %v", tc.name, err)
		}
		m, err := ImportWith(tc.mp, ImportOptions{Example: tc.example})
		if err != nil {
			t.Fatalf("%s: import: %v", tc.name, err)
		}
		x := randomInput(6, m.Input, 4)
		for i := range x.Data {
			x.Data[i] = 2*x.Data[i] - 1
		}
		want, err := p.Run([]*Tensor{{Shape: append([]int{6}, p.Inputs[0].Shape[1:]...), Type: onnxpb.TensorProto_FLOAT, Float: x.Data}})
		if err != nil {
			t.Fatalf("%s: run: %v", tc.name, err)
		}
		got := m.Graph.Forward(x, false).Clone()
		if d := maxAbsDiff(got.Data, want[0].Float); d > 1e-5 || !tensor.EqualShape(got.Shape, want[0].Shape) {
			t.Errorf("%s: the nn graph gives %v, the executor %v, max abs diff %g", tc.name, got.Shape, want[0].Shape, d)
		}

		// Saved as ONNX and imported again, for eval and further training.
		b, err := Marshal(m)
		if err != nil {
			t.Fatalf("%s: export: %v", tc.name, err)
		}
		mp, err := ReadModel(b)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Import(mp)
		if err != nil {
			t.Fatalf("%s: re-import: %v", tc.name, err)
		}
		again := back.Graph.Forward(x, false)
		for i := range got.Data {
			if math.Float32bits(again.Data[i]) != math.Float32bits(got.Data[i]) {
				t.Fatalf("%s: re-imported output %d is %v, want %v", tc.name, i, again.Data[i], got.Data[i])
			}
		}
		if len(back.Graph.Nodes) != len(m.Graph.Nodes) {
			t.Errorf("%s: %d layers imported, %d after a round trip", tc.name, len(m.Graph.Nodes), len(back.Graph.Nodes))
		}

		first, last := sgdSteps(m, x, 30)
		t.Logf("%s: executor max abs diff %.3g; loss %.4f -> %.4f", tc.name, maxAbsDiff(got.Data, want[0].Float), first, last)
		if !(last < 0.8*first) {
			t.Errorf("%s: the loss went from %g to %g in 30 SGD steps", tc.name, first, last)
		}
	}
}

// sgdSteps trains m on x with fixed labels by plain SGD and returns the
// first and last losses.
func sgdSteps(m *nn.Model, x *tensor.Tensor, steps int) (first, last float32) {
	labels := make([]int, x.Shape[0])
	for i := range labels {
		labels[i] = i % m.Graph.Output().Shape[0]
	}
	var loss nn.SoftmaxCrossEntropy
	for s := range steps {
		l := loss.Loss(m.Graph.Forward(x, true), labels)
		if s == 0 {
			first = l
		}
		last = l
		m.Graph.Backward(&loss.Grad)
		for _, p := range m.Graph.Params() {
			for i, g := range p.Grad.Data {
				p.Value.Data[i] -= 0.1 * g
			}
		}
	}
	return first, last
}

// TestExportedTrainableModelsPassChecker runs onnx.checker on the
// trainable models as convnet saves them after fine-tuning.
func TestExportedTrainableModelsPassChecker(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import onnx").Run(); err != nil {
		t.Skip("needs /usr/bin/python3 with onnx (Debian: apt-get install python3-onnx)")
	}
	dir := t.TempDir()
	for i, tc := range trainableModels() {
		m, err := ImportWith(tc.mp, ImportOptions{Example: tc.example})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		path := filepath.Join(dir, fmt.Sprintf("m%d.onnx", i))
		if err := SaveModel(path, m); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(py, "-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path).CombinedOutput(); err != nil {
			t.Errorf("%s: onnx.checker: %v\n%s", tc.name, err, out)
		}
	}
}

// TestImportInputShapes checks which model inputs import for which data.
func TestImportInputShapes(t *testing.T) {
	mlp := trainableModels()[len(trainableModels())-1]
	if mlp.name != "mlp" {
		t.Fatal("the last trainable model is not the MLP")
	}
	if _, err := Import(mlp.mp); err == nil || !strings.Contains(err.Error(), "16]") || !strings.Contains(err.Error(), "--init") {
		t.Errorf("importing an MLP for images: %v", err)
	}
	_, err := ImportWith(mlp.mp, ImportOptions{Example: []int{1, 5, 5}})
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "the model takes examples of shape (16) (16 values), the data's are (1, 5, 5) (25 values)") {
		t.Errorf("an MLP on data of another size: %v", err)
	}
	img := trainableModels()[0]
	if _, err := ImportWith(img.mp, ImportOptions{Example: []int{1, 8, 4}}); !errors.As(err, &ie) || !strings.Contains(err.Error(), "takes images of shape (2, 4, 4), the data's are (1, 8, 4)") {
		t.Errorf("an image model on images of another shape: %v", err)
	}
	m, err := ImportWith(mlp.mp, ImportOptions{Example: []int{1, 4, 4}})
	if err != nil || !tensor.EqualShape(m.Input, []int{1, 4, 4}) || m.Graph.Nodes[1].Layer.Type() != "flatten" {
		t.Errorf("an MLP on 1x4x4 images: input %v, error %v", m.Input, err)
	}
}

// TestImportedGraphGradients compares the imported graphs' input gradients
// with central finite differences of L = Σ r·out, over a few inputs each:
// the layers are checked one by one in package nn, this checks how the
// importer wires them (operand order, a value used twice).
func TestImportedGraphGradients(t *testing.T) {
	for _, tc := range trainableModels() {
		m, err := ImportWith(tc.mp, ImportOptions{Example: tc.example})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		g := m.Graph
		g.InputGrad = true
		x := randomInput(2, m.Input, 8)
		rng := rand.New(rand.NewPCG(9, 9))
		r := tensor.New(append([]int{2}, g.Output().Shape...)...)
		for i := range r.Data {
			r.Data[i] = float32(rng.NormFloat64())
		}
		loss := func() float64 {
			var s float64
			for i, v := range g.Forward(x, true).Data {
				s += float64(v) * float64(r.Data[i])
			}
			return s
		}
		loss()
		g.Backward(r)
		grad := append([]float32(nil), g.Input().Grad.Data...)
		const eps = 1e-2
		for k := 0; k < 12; k++ {
			i := rng.IntN(len(x.Data))
			orig := x.Data[i]
			x.Data[i] = orig + eps
			lp := loss()
			x.Data[i] = orig - eps
			lm := loss()
			x.Data[i] = orig
			num, ana := (lp-lm)/(2*eps), float64(grad[i])
			if math.Abs(num-ana) > 2e-2*math.Max(math.Abs(num), math.Abs(ana))+2e-3 {
				t.Errorf("%s: ∂L/∂x[%d]: analytic %.6g, numeric %.6g", tc.name, i, ana, num)
			}
		}
	}
}

// TestImportRefusesWhatCannotTrain checks that operators that would mix
// the examples of a batch are errors naming the operator.
func TestImportRefusesWhatCannotTrain(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(b *graphBuilder) string
		want  string
	}{
		{"transpose of the batch", func(b *graphBuilder) string {
			return b.node("Transpose", []string{"x"}, ints("perm", 1, 0, 2, 3))
		}, "moves the batch axis"},
		{"default transpose", func(b *graphBuilder) string { return b.node("Transpose", []string{"x"}) }, "moving the batch axis"},
		{"reshape mixing the batch", func(b *graphBuilder) string {
			return b.node("Reshape", []string{"x", b.ints(-1, 4)})
		}, "the batch would mix with other axes"},
		{"reshape with a fixed batch", func(b *graphBuilder) string {
			return b.node("Reshape", []string{"x", b.ints(2, 32)})
		}, "its first entry must keep the batch"},
		{"pad of the batch", func(b *graphBuilder) string {
			return b.node("Pad", []string{"x", b.ints(1, 0, 0, 0, 0, 0, 0, 0)})
		}, "pad the batch axis"},
		{"pad of huge size", func(b *graphBuilder) string {
			return b.node("Pad", []string{"x", b.ints(0, 0, 0, 0, 0, 1<<20, 1<<20, 1<<20)})
		}, "too large"},
		{"softmax over the batch", func(b *graphBuilder) string {
			return b.node("Softmax", []string{"x"}, intAttr("axis", 0))
		}, "over the batch axis"},
		{"squeeze of the batch", func(b *graphBuilder) string {
			return b.node("Squeeze", []string{"x", b.ints(0)})
		}, "squeezing the batch axis"},
		{"unsqueeze before the batch", func(b *graphBuilder) string {
			return b.node("Unsqueeze", []string{"x", b.ints(0)})
		}, "before the batch axis"},
		{"concat along the batch", func(b *graphBuilder) string {
			return b.node("Concat", []string{"x", "x"}, intAttr("axis", 0))
		}, "along the batch axis"},
		{"operands of two ranks", func(b *graphBuilder) string {
			return b.node("Mul", []string{"x", b.node("Flatten", []string{"x"})})
		}, "would pair the batch axis with another"},
		{"matmul of two ranks", func(b *graphBuilder) string {
			return b.node("MatMul", []string{b.node("Reshape", []string{"x", b.ints(0, 8, 4)}), "x"})
		}, "would pair the batch axis with another"},
		{"matmul of batches of vectors", func(b *graphBuilder) string {
			f := b.node("Flatten", []string{"x"})
			return b.node("MatMul", []string{f, f})
		}, "multiplying the examples together"},
		{"matmul of matrices that do not multiply", func(b *graphBuilder) string {
			return b.node("MatMul", []string{"x", b.node("Reshape", []string{"x", b.ints(0, 2, 8, 2)})})
		}, "do not multiply"},
	} {
		b := newGraphBuilder(2, 4, 4)
		_, err := Import(b.model(tc.build(b), 13))
		var ue *UnsupportedError
		var fe *FormatError
		if err == nil || !errors.As(err, &ue) && !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error saying %q", tc.name, err, tc.want)
		}
	}
}

// TestPyTorchFineTuneModels imports the models testdata/export_finetune.py
// and export_finetune_matmul.py exported from PyTorch 1.13 for MNIST-sized
// data, as PyTorch writes them (F.pad as ConstantOfShape, Slice and
// friends around the Pad, x.reshape as Shape, Gather, Concat, attention's
// products as MatMul of two computed tensors), and checks the nn graph
// against PyTorch's outputs and the executor's, and its first SGD losses
// against PyTorch's.
func TestPyTorchFineTuneModels(t *testing.T) {
	for _, name := range []string{"mlp", "ops", "attention"} {
		dir := filepath.Join("testdata", "finetune", name)
		if r := RunCase(dir); r.Status != Pass || r.MaxDiff > 1e-4 {
			t.Errorf("%s: executor: %s %s (max abs diff %g)", name, r.Status, r.Reason, r.MaxDiff)
		}
		m, err := LoadNNWith(filepath.Join(dir, "model.onnx"), ImportOptions{Example: []int{1, 28, 28}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		in, err := LoadTensor(filepath.Join(dir, "test_data_set_0", "input_0.pb"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := LoadTensor(filepath.Join(dir, "test_data_set_0", "output_0.pb"))
		if err != nil {
			t.Fatal(err)
		}
		got := m.Graph.Forward(tensor.FromData(in.Float, append([]int{in.Shape[0]}, m.Input...)...), false)
		if d := maxAbsDiff(got.Data, want.Float); d > 1e-4 || !tensor.EqualShape(got.Shape, want.Shape) {
			t.Errorf("%s: the nn graph gives %v, PyTorch %v, max abs diff %g", name, got.Shape, want.Shape, d)
		}
		var types []string
		for _, n := range m.Graph.Nodes[1:] {
			types = append(types, n.Layer.Type())
		}
		t.Logf("%s: %s", name, strings.Join(types, " "))

		// The first losses of plain SGD on that input match PyTorch's.
		b, err := os.ReadFile(filepath.Join(dir, "sgd_losses.json"))
		if err != nil {
			t.Fatal(err)
		}
		var ref struct {
			LR     float32
			Labels []int
			Losses []float64
		}
		if err := json.Unmarshal(b, &ref); err != nil {
			t.Fatal(err)
		}
		x := tensor.FromData(in.Float, append([]int{in.Shape[0]}, m.Input...)...)
		var loss nn.SoftmaxCrossEntropy
		for step, want := range ref.Losses {
			got := loss.Loss(m.Graph.Forward(x, true), ref.Labels)
			if math.Abs(float64(got)-want) > 1e-4*max(1, math.Abs(want)) {
				t.Errorf("%s: SGD step %d: loss %v, PyTorch's %v", name, step+1, got, want)
			}
			m.Graph.Backward(&loss.Grad)
			for _, p := range m.Graph.Params() {
				for i, g := range p.Grad.Data {
					p.Value.Data[i] -= ref.LR * g
				}
			}
		}
	}
}

// TestMatMulBiasIsLearned checks that the Add after a MatMul becomes the
// bias of its dense layer, a parameter, not a constant.
func TestMatMulBiasIsLearned(t *testing.T) {
	for _, tc := range trainableModels() {
		if tc.name != "matmul bias" {
			continue
		}
		m, err := Import(tc.mp)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range m.Graph.Params() {
			names = append(names, p.Name)
		}
		want := "conv1.weight conv1.bias denselast1.weight denselast1.bias dense1.weight dense1.bias"
		if got := strings.Join(names, " "); got != want {
			t.Errorf("parameters %s, want %s", got, want)
		}
		return
	}
	t.Fatal("no matmul bias model")
}

package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// Tests of the layers added for ONNX graphs: ConvTranspose2D, Clip,
// HardSigmoid and LogSoftmax.

func TestConvTransposeGradients(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    *ConvTranspose2D
		in   []int
	}{
		{"3x3", &ConvTranspose2D{Filters: 3, KH: 3, KW: 3, SH: 1, SW: 1, DH: 1, DW: 1, Groups: 1}, []int{2, 2, 4, 5}},
		{"stride 2 pad 1 outpad 1", &ConvTranspose2D{Filters: 2, KH: 3, KW: 3, SH: 2, SW: 2, DH: 1, DW: 1, PadT: 1, PadL: 1, PadB: 1, PadR: 1, OutPadH: 1, OutPadW: 1, Groups: 1}, []int{2, 3, 3, 4}},
		{"groups dilation asymmetric", &ConvTranspose2D{Filters: 4, KH: 2, KW: 3, SH: 3, SW: 2, DH: 2, DW: 1, PadT: 0, PadL: 1, PadB: 2, PadR: 0, Groups: 2, NoBias: true}, []int{1, 4, 3, 3}},
	} {
		checkGradients(t, gradCase{name: tc.name, layer: tc.l, shapes: [][]int{tc.in}})
	}
}

// TestConvTransposeIsConvAdjoint checks ⟨conv(x), y⟩ = ⟨x, convT(y)⟩ for the
// same weights, geometry and no bias: the transposed convolution is the
// adjoint of the convolution, which is what makes it one.
func TestConvTransposeIsConvAdjoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	conv := NewConv2D(6, 3)
	conv.SH, conv.SW, conv.PadT, conv.PadL, conv.PadB, conv.PadR, conv.DH, conv.Groups, conv.NoBias = 2, 1, 1, 0, 2, 1, 2, 2, true
	xShape := []int{2, 4, 9, 7}
	yShape, err := conv.Build([][]int{xShape[1:]})
	if err != nil {
		t.Fatal(err)
	}
	ct := &ConvTranspose2D{Filters: 4, KH: 3, KW: 3, SH: 2, SW: 1, DH: 2, DW: 1, PadT: 1, PadL: 0, PadB: 2, PadR: 1, Groups: 2, NoBias: true}
	// Output padding makes the transposed output as large as x.
	ct.OutPadH = xShape[2] - ((yShape[1]-1)*2 - 3 + 2*2 + 1)
	ct.OutPadW = xShape[3] - ((yShape[2]-1)*1 - 1 + 2 + 1)
	got, err := ct.Build([][]int{yShape})
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.EqualShape(got, xShape[1:]) {
		t.Fatalf("transposed output %v, want %v", got, xShape[1:])
	}
	for i := range conv.W.Value.Data {
		conv.W.Value.Data[i] = float32(rng.NormFloat64())
	}
	// Conv weights are (F, C/G, ...), transposed ones (C_in, F/G, ...) with
	// C_in = F here: the same array.
	copy(ct.W.Value.Data, conv.W.Value.Data)
	x, y := randomTensor(rng, xShape), randomTensor(rng, append([]int{2}, yShape...))
	cx, cty := tensor.New(y.Shape...), tensor.New(x.Shape...)
	conv.Forward([]*tensor.Tensor{x}, cx, false)
	ct.Forward([]*tensor.Tensor{y}, cty, false)
	var a, b float64
	for i := range cx.Data {
		a += float64(cx.Data[i]) * float64(y.Data[i])
	}
	for i := range cty.Data {
		b += float64(cty.Data[i]) * float64(x.Data[i])
	}
	if math.Abs(a-b) > 1e-4*math.Max(1, math.Abs(a)) {
		t.Errorf("<conv(x), y> = %g but <x, convT(y)> = %g", a, b)
	}
}

func TestClipHardSigmoidLogSoftmaxGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "clip", layer: NewClip(-0.5, 0.7), shapes: [][]int{{3, 4, 5}}, avoid: 0.05,
		inputs: func(rng *rand.Rand, in []*tensor.Tensor) {
			// Keep away from the kinks at -0.5 and 0.7.
			for i := range in[0].Data {
				v := rng.Float64()*3 - 1.5
				for math.Abs(v+0.5) < 0.05 || math.Abs(v-0.7) < 0.05 {
					v = rng.Float64()*3 - 1.5
				}
				in[0].Data[i] = float32(v)
			}
		}})
	checkGradients(t, gradCase{name: "hardsigmoid", layer: NewHardSigmoid(), shapes: [][]int{{3, 10}},
		inputs: func(rng *rand.Rand, in []*tensor.Tensor) {
			for i := range in[0].Data {
				v := rng.Float64()*8 - 4
				for math.Abs(v-2.5) < 0.1 || math.Abs(v+2.5) < 0.1 {
					v = rng.Float64()*8 - 4
				}
				in[0].Data[i] = float32(v)
			}
		}})
	checkGradients(t, gradCase{name: "logsoftmax", layer: NewLogSoftmax(), shapes: [][]int{{3, 7}}})
	checkGradients(t, gradCase{name: "logsoftmax image", layer: NewLogSoftmax(), shapes: [][]int{{2, 3, 2, 5}}})
}

func TestLogSoftmaxIsLogOfSoftmax(t *testing.T) {
	x := tensor.FromValues(1, 2, 3, 1000, -1000, 0)
	x.Shape = []int{2, 3}
	ls, sm := tensor.New(2, 3), tensor.New(2, 3)
	NewLogSoftmax().Forward([]*tensor.Tensor{x}, ls, false)
	MustActivation("softmax").Forward([]*tensor.Tensor{x}, sm, false)
	for i := range ls.Data {
		want := math.Log(float64(sm.Data[i]))
		if sm.Data[i] == 0 {
			continue // log(0): log-softmax stays finite where softmax underflows
		}
		if math.Abs(float64(ls.Data[i])-want) > 1e-5 {
			t.Errorf("log-softmax[%d] = %g, log(softmax) = %g", i, ls.Data[i], want)
		}
	}
	if v := ls.Data[4]; math.IsInf(float64(v), 0) || v > -1999 {
		t.Errorf("log-softmax of -1000 next to 1000 is %g, want about -2000", v)
	}
}

func TestNewLayersInSpecs(t *testing.T) {
	for _, spec := range []string{"clip(0,6)", "hardsigmoid(alpha=0.25,beta=0.5)", "logsoftmax", "convtranspose(3,3,stride=2,pad=1,outpad=1)"} {
		g, err := BuildGraph(spec, []int{2, 5, 5}, SpecOptions{})
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if d := Describe(g.Output().Layer); d != spec && spec != "convtranspose(3,3,stride=2,pad=1,outpad=1)" {
			t.Errorf("%s describes itself as %s", spec, d)
		}
	}
}

func TestConstBinaryGradients(t *testing.T) {
	for _, op := range []string{"add", "sub", "rsub", "mul", "div", "rdiv"} {
		c := tensor.FromValues(0.5, -1.5, 2)
		c.Shape = []int{3, 1, 1}
		checkGradients(t, gradCase{name: "const " + op, layer: &ConstBinary{Op: op, C: c}, shapes: [][]int{{2, 3, 2, 2}}, avoid: 0.3})
	}
	if _, err := (&ConstBinary{Op: "add", C: tensor.New(2, 3)}).Build([][]int{{3, 4}}); err == nil {
		t.Error("a (2,3) constant broadcast to (3,4)")
	}
}

package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// The reference files in testdata were written by PyTorch 1.13 through
// testdata/pytorch_layers.py (which says how to rerun it): inputs, weights,
// outputs, input gradients and weight gradients for small fixed cases.
// These tests set the same weights into our layers and compare.

type refTensor struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

type refCase struct {
	Name    string                `json:"name"`
	Op      string                `json:"op"`
	Args    map[string]any        `json:"args"`
	Train   bool                  `json:"train"`
	Tensors map[string]*refTensor `json:"tensors"`
}

func loadReference(t *testing.T, file string) []refCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatalf("%v (rerun testdata/pytorch_layers.py to write it)", err)
	}
	var f struct {
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s holds no cases", file)
	}
	return f.Cases
}

func (c *refCase) tensor(t *testing.T, name string) *tensor.Tensor {
	t.Helper()
	r, ok := c.Tensors[name]
	if !ok {
		t.Fatalf("%s: reference has no tensor %q", c.Name, name)
	}
	return tensor.FromData(append([]float32(nil), r.Data...), r.Shape...)
}

func (c *refCase) int(key string) int { return int(c.Args[key].(float64)) }

func (c *refCase) bool(key string) bool { b, _ := c.Args[key].(bool); return b }

// ints reads a list argument of n numbers.
func (c *refCase) ints(key string, n int) []int {
	l := c.Args[key].([]any)
	if len(l) != n {
		panic(fmt.Sprintf("%s: %s has %d values, want %d", c.Name, key, len(l), n))
	}
	out := make([]int, n)
	for i, v := range l {
		out[i] = int(v.(float64))
	}
	return out
}

// layer builds the layer a case describes.
func (c *refCase) layer(t *testing.T) Layer {
	t.Helper()
	switch c.Op {
	case "conv":
		k, s, p, d := c.ints("k", 2), c.ints("stride", 2), c.ints("pad", 4), c.ints("dilation", 2)
		return &Conv2D{Filters: c.int("filters"), KH: k[0], KW: k[1], SH: s[0], SW: s[1],
			PadT: p[0], PadL: p[1], PadB: p[2], PadR: p[3], DH: d[0], DW: d[1],
			Groups: c.int("groups"), NoBias: !c.bool("bias")}
	case "maxpool":
		k, s, p, d := c.ints("k", 2), c.ints("stride", 2), c.ints("pad", 4), c.ints("dilation", 2)
		return &MaxPool2D{KH: k[0], KW: k[1], SH: s[0], SW: s[1],
			PadT: p[0], PadL: p[1], PadB: p[2], PadR: p[3], DH: d[0], DW: d[1], CeilMode: c.bool("ceil")}
	case "avgpool":
		k, s, p := c.ints("k", 2), c.ints("stride", 2), c.ints("pad", 4)
		return &AvgPool2D{KH: k[0], KW: k[1], SH: s[0], SW: s[1],
			PadT: p[0], PadL: p[1], PadB: p[2], PadR: p[3], CeilMode: c.bool("ceil"), CountIncludePad: c.bool("count_include_pad")}
	case "globalavgpool":
		return NewGlobalAvgPool()
	case "globalmaxpool":
		return NewGlobalMaxPool()
	case "batchnorm":
		return &BatchNorm2D{Momentum: c.Args["momentum"].(float64), Eps: c.Args["eps"].(float64)}
	case "activation":
		a := MustActivation(c.Args["kind"].(string))
		if alpha, ok := c.Args["alpha"].(float64); ok {
			a.Alpha = float32(alpha)
		}
		return a
	case "prelu":
		return &PReLU{Shared: c.bool("shared")}
	case "dense":
		return &Dense{Out: c.int("out"), NoBias: !c.bool("bias")}
	}
	t.Fatalf("%s: unknown op %q", c.Name, c.Op)
	return nil
}

// refTolerance is how far a value may stray from PyTorch's:
// |got - want| <= refAbs + refRel·|want|. Both compute in float32 but may
// sum in different orders.
const refAbs, refRel = 1e-5, 1e-5

func compareTensor(t *testing.T, what string, got, want *tensor.Tensor) {
	t.Helper()
	if !tensor.EqualShape(got.Shape, want.Shape) {
		t.Errorf("%s: shape %s, PyTorch has %s", what, tensor.ShapeString(got.Shape), tensor.ShapeString(want.Shape))
		return
	}
	bad := 0
	for i, w := range want.Data {
		g := got.Data[i]
		if d := math.Abs(float64(g - w)); !(d <= refAbs+refRel*math.Abs(float64(w))) {
			if bad < 3 {
				t.Errorf("%s[%d] = %.8g, PyTorch %.8g", what, i, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values differ from PyTorch", what, bad, len(want.Data))
	}
}

func runReference(t *testing.T, file string) {
	for _, c := range loadReference(t, file) {
		t.Run(c.Name, func(t *testing.T) {
			l := c.layer(t)
			x := c.tensor(t, "x")
			outShape, err := l.Build([][]int{x.Shape[1:]})
			if err != nil {
				t.Fatal(err)
			}
			// PyTorch names parameters "weight" and "bias", as ours are named.
			for _, p := range l.Params() {
				copy(p.Value.Data, c.tensor(t, p.Name).Data)
			}
			if s, ok := l.(Stateful); ok {
				for _, p := range s.State() {
					copy(p.Value.Data, c.tensor(t, p.Name).Data)
				}
			}
			out := tensor.New(append([]int{x.Shape[0]}, outShape...)...)
			in := []*tensor.Tensor{x}
			l.Forward(in, out, c.Train)
			compareTensor(t, "y", out, c.tensor(t, "y"))
			dx := tensor.New(x.Shape...)
			l.Backward(in, out, c.tensor(t, "dy"), []*tensor.Tensor{dx})
			compareTensor(t, "dx", dx, c.tensor(t, "dx"))
			for _, p := range l.Params() {
				compareTensor(t, "grad_"+p.Name, p.Grad, c.tensor(t, "grad_"+p.Name))
			}
			if s, ok := l.(Stateful); ok {
				for _, p := range s.State() {
					compareTensor(t, p.Name+" after the step", p.Value, c.tensor(t, p.Name+"_after"))
				}
			}
		})
	}
}

func TestReferenceConv(t *testing.T)       { runReference(t, "layers_conv.json") }
func TestReferencePool(t *testing.T)       { runReference(t, "layers_pool.json") }
func TestReferenceBatchNorm(t *testing.T)  { runReference(t, "layers_batchnorm.json") }
func TestReferenceActivation(t *testing.T) { runReference(t, "layers_activation.json") }
func TestReferenceDense(t *testing.T)      { runReference(t, "layers_dense.json") }

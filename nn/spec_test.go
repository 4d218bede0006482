package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

const lenet5 = "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)"

func TestSpecBuildsShapes(t *testing.T) {
	g, err := BuildGraph("conv(6,5,pad=2) relu conv(16,3x5,stride=2,pad=1:0:1:2,dilation=1,groups=2,bias=false) tanh flatten dense(10,init=xavier)", []int{1, 28, 28}, SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{1, 28, 28}, {6, 28, 28}, {6, 28, 28}, {16, 14, 13}, {16, 14, 13}, {16 * 14 * 13}, {10}}
	for i, n := range g.Nodes {
		if !tensor.EqualShape(n.Shape, want[i]) {
			t.Errorf("node %d %s: shape %v, want %v", i, n.Name, n.Shape, want[i])
		}
	}
	conv := g.Nodes[3].Layer.(*Conv2D)
	if conv.KH != 3 || conv.KW != 5 || conv.PadT != 1 || conv.PadR != 2 || !conv.NoBias || conv.Groups != 2 {
		t.Errorf("conv parsed as %+v", conv)
	}
	if d := Describe(conv); d != "conv(16,3x5,stride=2,pad=1:0:1:2,groups=2,bias=false)" {
		t.Errorf("Describe = %q", d)
	}
}

func TestSpecActivationOverride(t *testing.T) {
	g, err := BuildGraph("conv(4,3) relu flatten dense(10) leakyrelu(0.2) dense(2) softmax", []int{1, 5, 5}, SpecOptions{Activation: "sigmoid"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range g.Nodes[1:] {
		kinds = append(kinds, n.Layer.Type())
	}
	want := []string{"conv", "sigmoid", "flatten", "dense", "sigmoid", "dense", "softmax"}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("layers %v, want %v", kinds, want)
		}
	}
}

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"conv(6,5) frobnicate", `frobnicate: unknown layer "frobnicate"`},
		{"conv(6)", "conv(6): missing kernel size"},
		{"conv(6,5,padding=2)", `unknown option "padding"`},
		{"conv(six,5)", "filter count must be a whole number"},
		{"conv(6,5", "missing closing parenthesis"},
		{"conv(6,5) flatten dense(120,in=256)", "dense(120) expects 256 inputs, gets 3456"},
		{"conv(6,5) dense(10)", "expects a flat input, gets (6, 24, 24): put flatten before it"},
		{"conv(6,50)", "does not fit"},
		{"", "no layers"},
		{"relu(1,2)", "at most 0 positional"},
		// Past DefaultMaxParams: an error, not a panic in make or an
		// allocation the machine cannot hold.
		{"flatten dense(99999999999) dense(10)", "dense(99999999999): needs 78399999999216 parameter values"},
		{"flatten dense(100000) dense(100000) dense(10)", "dense(100000): needs 10000000000 parameter values"},
	} {
		_, err := BuildGraph(tc.spec, []int{1, 28, 28}, SpecOptions{})
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("BuildGraph(%q) error = %v, want it to contain %q", tc.spec, err, tc.want)
		}
	}
	if _, err := BuildGraph("conv(6,5) relu", []int{1, 28, 28}, SpecOptions{Activation: "sigmoidal"}); err == nil || !contains(err.Error(), `unknown activation "sigmoidal"`) {
		t.Errorf("bad --activation: %v", err)
	}
}

func TestSpecComments(t *testing.T) {
	spec := "# LeNet-5\nconv(6,5,pad=2) relu  # first block\nmaxpool(2)\n"
	items, err := parseSpec(spec)
	if err != nil || len(items) != 3 {
		t.Fatalf("items %v, err %v", items, err)
	}
}

func TestModelClassMismatch(t *testing.T) {
	_, err := NewModel("flatten dense(7)", []int{1, 4, 4}, []string{"0", "1", "2"}, SpecOptions{})
	if err == nil || !contains(err.Error(), "end the model with dense(3)") {
		t.Fatalf("err = %v", err)
	}
}

package nn

import (
	"fmt"
	"sort"
	"strings"
)

// layerSpec makes one layer from its parsed arguments.
type layerSpec struct {
	usage string
	make  func(a *args) (Layer, error)
}

// layerSpecs is the registry of the model text form: every layer name a
// spec may use, with its argument syntax.
var layerSpecs = map[string]layerSpec{
	"conv": {"conv(F,K[,stride=S][,pad=P|PHxPW|T:L:B:R][,dilation=D][,groups=G][,bias=false][,init=he|xavier|lecun])  K, S, D may be NxM", func(a *args) (Layer, error) {
		l := NewConv2D(a.intAt(0, "filter count", -1), 1)
		l.KH, l.KW = a.pairAt(1, "kernel size")
		l.SH, l.SW = a.optPair("stride", 1)
		l.PadT, l.PadL, l.PadB, l.PadR = a.optPads()
		l.DH, l.DW = a.optPair("dilation", 1)
		l.Groups = a.optInt("groups", 1)
		l.NoBias = !a.optBool("bias", true)
		l.Init = a.optInit()
		return l, a.done(2)
	}},
	"dense": {"dense(N[,in=I][,bias=false][,init=...])", func(a *args) (Layer, error) {
		l := NewDense(a.intAt(0, "unit count", -1))
		l.In = a.optInt("in", 0)
		l.NoBias = !a.optBool("bias", true)
		l.Init = a.optInit()
		return l, a.done(1)
	}},
	"flatten": {"flatten", func(a *args) (Layer, error) { return Flatten{}, a.done(0) }},
	"maxpool": {"maxpool(K[,stride=S][,pad=P|T:L:B:R][,dilation=D][,ceil=true])  stride defaults to K", func(a *args) (Layer, error) {
		l := NewMaxPool2D(1)
		l.KH, l.KW = a.pairAt(0, "window size")
		l.SH, l.SW = l.KH, l.KW
		if _, ok := a.it.kw["stride"]; ok {
			l.SH, l.SW = a.optPair("stride", 1)
		}
		l.PadT, l.PadL, l.PadB, l.PadR = a.optPads()
		l.DH, l.DW = a.optPair("dilation", 1)
		l.CeilMode = a.optBool("ceil", false)
		return l, a.done(1)
	}},
	"avgpool": {"avgpool(K[,stride=S][,pad=P|T:L:B:R][,ceil=true][,include_pad=true])", func(a *args) (Layer, error) {
		l := NewAvgPool2D(1)
		l.KH, l.KW = a.pairAt(0, "window size")
		l.SH, l.SW = l.KH, l.KW
		if _, ok := a.it.kw["stride"]; ok {
			l.SH, l.SW = a.optPair("stride", 1)
		}
		l.PadT, l.PadL, l.PadB, l.PadR = a.optPads()
		l.CeilMode = a.optBool("ceil", false)
		l.CountIncludePad = a.optBool("include_pad", false)
		return l, a.done(1)
	}},
	"globalavgpool": {"globalavgpool", func(a *args) (Layer, error) { return NewGlobalAvgPool(), a.done(0) }},
	"globalmaxpool": {"globalmaxpool", func(a *args) (Layer, error) { return NewGlobalMaxPool(), a.done(0) }},
	"dropout": {"dropout[(P)]  P defaults to 0.5", func(a *args) (Layer, error) {
		return NewDropout(a.floatAt(0, "drop probability", 0.5)), a.done(1)
	}},
	"batchnorm": {"batchnorm[(eps=E,momentum=M)]", func(a *args) (Layer, error) {
		l := NewBatchNorm2D()
		l.Eps = a.optFloat("eps", l.Eps)
		l.Momentum = a.optFloat("momentum", l.Momentum)
		return l, a.done(0)
	}},
	"prelu": {"prelu[(shared=true)]", func(a *args) (Layer, error) {
		l := NewPReLU()
		l.Shared = a.optBool("shared", false)
		return l, a.done(0)
	}},
	"add": {"add  (only inside graphs built in code; residual(...) makes one)", func(a *args) (Layer, error) { return NewAdd(), a.done(0) }},
}

func init() {
	for _, kind := range []string{"relu", "selu", "gelu", "silu", "sigmoid", "tanh", "softmax"} {
		layerSpecs[kind] = layerSpec{kind, func(a *args) (Layer, error) {
			return MustActivation(kind), a.done(0)
		}}
	}
	for _, kind := range []string{"leakyrelu", "elu"} {
		def := MustActivation(kind).Alpha
		layerSpecs[kind] = layerSpec{fmt.Sprintf("%s[(alpha)]  default %g", kind, def), func(a *args) (Layer, error) {
			l := MustActivation(kind)
			l.Alpha = float32(a.floatAt(0, "alpha", float64(def)))
			return l, a.done(1)
		}}
	}
}

// SpecHelp lists the layers of the model text form with their arguments.
func SpecHelp() string {
	names := make([]string, 0, len(layerSpecs))
	for n := range layerSpecs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %s\n", layerSpecs[n].usage)
	}
	b.WriteString("  residual(LAYERS...)  adds the block's output to its input\n")
	return b.String()
}

// BuildGraph parses spec and builds its graph for examples of inputShape,
// e.g. (1, 28, 28). Errors name the offending layer and, for shapes that do
// not fit, what it expected and what it got.
func BuildGraph(spec string, inputShape []int, opts SpecOptions) (*Graph, error) {
	items, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, &SpecError{Msg: "no layers"}
	}
	if opts.Activation != "" {
		if _, err := NewActivation(opts.Activation); err != nil && opts.Activation != "prelu" {
			return nil, &SpecError{Msg: err.Error()}
		}
	}
	g := NewGraph(inputShape...)
	if _, err := addItems(g, g.Input(), items, opts); err != nil {
		return nil, err
	}
	return g, nil
}

func addItems(g *Graph, from *Node, items []specItem, opts SpecOptions) (*Node, error) {
	cur := from
	for i := range items {
		it := &items[i]
		if it.name == "residual" {
			if len(it.inner) == 0 {
				return nil, &SpecError{Layer: it.text, Msg: "empty residual block"}
			}
			last, err := addItems(g, cur, it.inner, opts)
			if err != nil {
				return nil, err
			}
			add, err := NewLayer("add")
			if err != nil {
				return nil, err
			}
			n, err := g.Add(add, cur, last)
			if err != nil {
				return nil, &SpecError{Layer: it.text, Msg: "the block's output does not match its input: " + err.Error()}
			}
			cur = n
			continue
		}
		name := it.name
		if opts.Activation != "" && IsActivation(name) && name != "softmax" {
			// --activation swaps the hidden activations; softmax stays.
			*it = specItem{text: opts.Activation, name: opts.Activation, kw: map[string]string{}}
		}
		l, err := makeLayer(it)
		if err != nil {
			return nil, err
		}
		if err := checkParamBudget(g, l, cur.Shape, opts.MaxParams); err != nil {
			return nil, &SpecError{Layer: it.text, Msg: err.Error()}
		}
		n, err := g.Add(l, cur)
		if err != nil {
			return nil, &SpecError{Layer: it.text, Msg: stripNodePrefix(err.Error())}
		}
		cur = n
	}
	return cur, nil
}

// stripNodePrefix drops Graph.Add's "conv1: " prefix, since SpecError
// names the layer as the user wrote it.
func stripNodePrefix(s string) string {
	if i := strings.Index(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

func makeLayer(it *specItem) (Layer, error) {
	ls, ok := layerSpecs[it.name]
	if !ok {
		return nil, &SpecError{Layer: it.text, Msg: fmt.Sprintf("unknown layer %q; known layers: %s", it.name, knownLayers())}
	}
	return ls.make(&args{it: it, used: map[string]bool{}})
}

// NewLayer makes a layer from one item of the text form, e.g. "conv(6,5)".
func NewLayer(text string) (Layer, error) {
	items, err := parseSpec(text)
	if err != nil {
		return nil, err
	}
	if len(items) != 1 || items[0].name == "residual" {
		return nil, &SpecError{Layer: text, Msg: "want exactly one layer"}
	}
	return makeLayer(&items[0])
}

func knownLayers() string {
	names := make([]string, 0, len(layerSpecs)+1)
	for n := range layerSpecs {
		names = append(names, n)
	}
	names = append(names, "residual")
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Describe prints a layer in the model text form.
func Describe(l Layer) string {
	if d, ok := l.(Describer); ok {
		return d.Describe()
	}
	return l.Type()
}

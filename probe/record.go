package probe

import (
	"fmt"
	"sort"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// Maps is what one node of a graph produced for one example: Shape is the
// per-example shape, (C,H,W) for images and (K) for flat layers, and Data
// holds Size(Shape) values in that order.
type Maps struct {
	Name  string // node name, unique in the graph: "conv1", "relu2"; "input" for the input
	Type  string // layer type: "conv", "relu", ...; "input" for the input
	Desc  string // the layer in the model text form: "conv(6,5,pad=2)"
	Shape []int
	Data  []float32
}

// Channels is the number of maps: Shape[0] for (C,H,W), 1 for flat shapes.
func (m *Maps) Channels() int {
	if len(m.Shape) == 3 {
		return m.Shape[0]
	}
	return 1
}

// Map returns channel c of a (C,H,W) output, sharing Data.
func (m *Maps) Map(c int) []float32 {
	if len(m.Shape) != 3 {
		return m.Data
	}
	hw := m.Shape[1] * m.Shape[2]
	return m.Data[c*hw : (c+1)*hw]
}

// IsImage reports whether the output is a stack of 2-D maps (C,H,W).
func (m *Maps) IsImage() bool { return len(m.Shape) == 3 }

// Recording is a forward pass that kept what every layer produced.
type Recording struct {
	Input  Maps   // the input as the model sees it
	Layers []Maps // every node after the input, in graph (topological) order
	Probs  []float32
}

// Layer returns the recorded output of the named node, or nil.
func (r *Recording) Layer(name string) *Maps {
	for i := range r.Layers {
		if r.Layers[i].Name == name {
			return &r.Layers[i]
		}
	}
	return nil
}

// Class is one entry of a ranking of class probabilities.
type Class struct {
	Index int     `json:"index"`
	Name  string  `json:"class"`
	Prob  float64 `json:"probability"`
}

// Top returns the k most probable classes, most probable first.
func (r *Recording) Top(k int, names []string) []Class {
	order := make([]int, len(r.Probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return r.Probs[order[a]] > r.Probs[order[b]] })
	var top []Class
	for _, i := range order[:min(k, len(order))] {
		name := fmt.Sprint(i)
		if i < len(names) {
			name = names[i]
		}
		top = append(top, Class{Index: i, Name: name, Prob: float64(r.Probs[i])})
	}
	return top
}

// Record runs m in inference mode on one example x, the m.Input (C,H,W)
// values an image becomes (pixels/255 for a model trained on [0,1] data),
// and returns copies of every layer's output with the class probabilities.
func Record(m *nn.Model, x []float32) *Recording {
	in := m.Graph.InputShape()
	if len(x) != tensor.Size(in) {
		panic(fmt.Sprintf("probe: Record: %d values do not fill the input %s", len(x), tensor.ShapeString(in)))
	}
	xt := tensor.FromData(append([]float32(nil), x...), append([]int{1}, in...)...)
	var probs tensor.Tensor
	m.Predict(xt, &probs)
	r := &Recording{
		Input: Maps{Name: "input", Type: "input", Desc: "input", Shape: append([]int(nil), in...), Data: xt.Data},
		Probs: append([]float32(nil), probs.Data...),
	}
	for _, n := range m.Graph.Nodes[1:] {
		r.Layers = append(r.Layers, Maps{
			Name: n.Name, Type: n.Layer.Type(), Desc: nn.Describe(n.Layer),
			Shape: append([]int(nil), n.Shape...), Data: append([]float32(nil), n.Out.Data...),
		})
	}
	return r
}

// ShowsMaps reports whether a layer type is one whose activation maps are
// worth drawing: convolutions, activations and pooling.
func ShowsMaps(typ string) bool {
	switch typ {
	case "conv", "maxpool", "avgpool", "globalavgpool", "globalmaxpool":
		return true
	}
	return nn.IsActivation(typ)
}

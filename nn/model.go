package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// Model is a graph together with what is needed to rebuild and use it: the
// spec it was built from, the per-example input shape and the class names.
// Inputs are images scaled to [0, 1].
type Model struct {
	Spec       string
	Activation string // the --activation override the spec was built with, if any
	Input      []int  // (C, H, W)
	Classes    []string
	Graph      *Graph
}

// NewModel builds the model described by spec for inputs of shape input
// (C,H,W) and the given classes. The last layer must produce one value per
// class; the error says so otherwise.
func NewModel(spec string, input []int, classes []string, opts SpecOptions) (*Model, error) {
	g, err := BuildGraph(spec, input, opts)
	if err != nil {
		return nil, err
	}
	out := g.Output().Shape
	if len(classes) > 0 && (len(out) != 1 || out[0] != len(classes)) {
		return nil, &SpecError{Msg: fmt.Sprintf("the last layer gives %s values per example, but the data has %d classes: end the model with dense(%d)",
			tensor.ShapeString(out), len(classes), len(classes))}
	}
	return &Model{Spec: spec, Activation: opts.Activation, Input: append([]int(nil), input...), Classes: classes, Graph: g}, nil
}

// Predict runs the model in inference mode on x (N, C, H, W) and writes the
// class probabilities (softmax of the logits) into probs, resized to (N, K).
func (m *Model) Predict(x *tensor.Tensor, probs *tensor.Tensor) {
	logits := m.Graph.Forward(x, false)
	probs.Resize(logits.Shape...)
	if m.Graph.Output().Layer.Type() == "softmax" {
		copy(probs.Data, logits.Data)
		return
	}
	sm := Activation{Kind: "softmax"}
	sm.Forward([]*tensor.Tensor{logits}, probs, false)
}

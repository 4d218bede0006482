package probe

import (
	"fmt"
	"math"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// LayerHealth is one layer's health over a set of examples.
type LayerHealth struct {
	Name  string `json:"layer"`
	Type  string `json:"type"`
	Shape []int  `json:"shape"`
	// After names the nearest conv or dense layer upstream, whose filters
	// or units an activation's channels belong to ("conv2" for relu2).
	After string `json:"after,omitempty"`

	// Sparsity is the fraction of outputs exactly 0.
	Sparsity float64 `json:"sparsity"`
	// Units counts channels of (C,H,W) outputs and units of flat ones;
	// Dead those that were exactly 0 at every position for every example.
	Units        int     `json:"units"`
	Dead         int     `json:"dead"`
	DeadFraction float64 `json:"dead_fraction"`
	// Saturation is, for sigmoid and tanh, the fraction of outputs within
	// SaturationMargin of the function's bounds (0 for other layers).
	Saturation float64 `json:"saturation"`
	Mean       float64 `json:"mean"`
	Std        float64 `json:"std"`
	NonFinite  int     `json:"nonfinite,omitempty"` // NaN or infinite outputs

	// For layers with a weight: the L2 norms of the weight and of the
	// gradient of the mean loss over the examples with respect to it.
	WeightNorm float64 `json:"weight_norm,omitempty"`
	GradNorm   float64 `json:"grad_norm,omitempty"`
	// UpdateRatio is ‖ΔW‖/‖W‖ of one optimizer step, when the caller
	// measured one (train does, at the last step of each epoch).
	UpdateRatio float64 `json:"update_ratio,omitempty"`
}

// Bounded reports whether the layer's outputs have bounds it can saturate
// at (sigmoid, tanh).
func (l *LayerHealth) Bounded() bool { return l.Type == "sigmoid" || l.Type == "tanh" }

// HasWeight reports whether the layer has a weight (conv, dense).
func (l *LayerHealth) HasWeight() bool { return l.WeightNorm > 0 || l.GradNorm > 0 }

// SaturationMargin is how close to a bound an output must be to count as
// saturated: σ(x) ≤ 0.01 or ≥ 0.99, |tanh(x)| ≥ 0.99.
const SaturationMargin = 0.01

// Health is the health of every layer of a model over a set of examples.
type Health struct {
	Examples int           `json:"examples"`
	Layers   []LayerHealth `json:"layers"`
}

// Layer returns the named layer's health, or nil.
func (h *Health) Layer(name string) *LayerHealth {
	for i := range h.Layers {
		if h.Layers[i].Name == name {
			return &h.Layers[i]
		}
	}
	return nil
}

// Weighted lists the layers that have a weight, in graph order.
func (h *Health) Weighted() []*LayerHealth {
	var ls []*LayerHealth
	for i := range h.Layers {
		if h.Layers[i].HasWeight() {
			ls = append(ls, &h.Layers[i])
		}
	}
	return ls
}

// GradRatio is the first weighted layer's gradient norm divided by the
// last one's: far below 1 means vanishing gradients, far above exploding.
// It is 0 without two weighted layers or a gradient at the last.
func (h *Health) GradRatio() float64 {
	ws := h.Weighted()
	if len(ws) < 2 || ws[len(ws)-1].GradNorm == 0 {
		return 0
	}
	return ws[0].GradNorm / ws[len(ws)-1].GradNorm
}

// weightOf returns a layer's weight parameter: the first parameter with
// at least two dimensions (conv and dense weights; not biases nor
// batch-norm scales).
func weightOf(l nn.Layer) *nn.Param {
	for _, p := range l.Params() {
		if len(p.Value.Shape) >= 2 {
			return p
		}
	}
	return nil
}

// layerAcc accumulates one node's statistics over batches.
type layerAcc struct {
	sum, sumSq    float64
	n, zeros, sat int64
	nonFinite     int
	alive         []bool
	grad          []float64
}

// Meter accumulates layer health over batches, so that a set too large to
// hold as one tensor can be measured batch by batch:
//
//	m := probe.NewMeter(g, true)
//	for each batch { m.Add(x, labels) }
//	h := m.Health()
//
// Measure does this for a set held in one tensor.
type Meter struct {
	g     *nn.Graph
	grads bool
	acc   []layerAcc
	n     int
	loss  nn.SoftmaxCrossEntropy
}

// NewMeter starts measuring g; with grads set, Add also backpropagates the
// softmax cross-entropy to get weight gradients.
func NewMeter(g *nn.Graph, grads bool) *Meter {
	nodes := g.Nodes[1:]
	m := &Meter{g: g, grads: grads, acc: make([]layerAcc, len(nodes))}
	for i, node := range nodes {
		units := 1
		if len(node.Shape) >= 1 {
			units = node.Shape[0]
		}
		m.acc[i].alive = make([]bool, units)
		if w := weightOf(node.Layer); w != nil && grads {
			m.acc[i].grad = make([]float64, w.Value.Len())
		}
	}
	return m
}

// Add runs one batch x (N, input shape...) through the graph in inference
// mode and adds its statistics. With gradients on, labels holds one class
// per example and the weight gradients of the batch's mean loss are added,
// weighted by N; that overwrites the parameters' gradients, so call it
// between optimizer steps, not within one. Batch-norm running statistics
// and dropout are left alone: the pass runs in inference mode.
func (m *Meter) Add(x *tensor.Tensor, labels []int) {
	g := m.g
	n := x.Shape[0]
	if m.grads && len(labels) != n {
		panic("probe: Meter.Add: want one label per example")
	}
	nodes := g.Nodes[1:]
	out := g.Forward(x, false)
	for i, node := range nodes {
		m.acc[i].observe(node)
	}
	m.n += n
	if !m.grads || n == 0 {
		return
	}
	prevInputGrad := g.InputGrad
	g.InputGrad = false
	m.loss.Loss(out, labels)
	g.Backward(&m.loss.Grad)
	g.InputGrad = prevInputGrad
	for i, node := range nodes {
		if m.acc[i].grad == nil {
			continue
		}
		for j, v := range weightOf(node.Layer).Grad.Data {
			m.acc[i].grad[j] += float64(n) * float64(v)
		}
	}
}

// Health returns every layer's health over the examples added so far
// (flatten layers, pure reshapes, are left out). Weight gradients are
// those of the mean loss over all of them.
func (m *Meter) Health() *Health {
	h := &Health{Examples: m.n}
	for i, node := range m.g.Nodes[1:] {
		if node.Layer.Type() == "flatten" {
			continue
		}
		h.Layers = append(h.Layers, m.acc[i].health(node, m.n))
	}
	return h
}

// Measure returns every layer's health over the examples x (N, input
// shape...), run batch at a time (256 when batch < 1) through a Meter. With
// labels (one per example) it includes the weight gradients of the mean
// loss over all the examples, and overwrites the parameters' gradients.
func Measure(g *nn.Graph, x *tensor.Tensor, labels []int, batch int) *Health {
	if batch < 1 {
		batch = 256
	}
	n := x.Shape[0]
	size := tensor.Size(x.Shape[1:])
	if labels != nil && len(labels) != n {
		panic("probe: Measure: want one label per example")
	}
	m := NewMeter(g, labels != nil)
	xb := &tensor.Tensor{}
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		xb.Shape = append(xb.Shape[:0], hi-lo)
		xb.Shape = append(xb.Shape, x.Shape[1:]...)
		xb.Data = x.Data[lo*size : hi*size]
		var lb []int
		if labels != nil {
			lb = labels[lo:hi]
		}
		m.Add(xb, lb)
	}
	return m.Health()
}

// observe adds one batch of a node's output.
func (a *layerAcc) observe(node *nn.Node) {
	typ := node.Layer.Type()
	units := len(a.alive)
	inner := 1
	if len(node.Shape) > 1 {
		inner = tensor.Size(node.Shape[1:])
	}
	data := node.Out.Data
	for off := 0; off < len(data); off += inner {
		u := off / inner % units
		any := false
		for _, v := range data[off : off+inner] {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				a.nonFinite++
				any = true
				continue
			}
			a.sum += f
			a.sumSq += f * f
			if v == 0 {
				a.zeros++
			} else {
				any = true
			}
			switch typ {
			case "sigmoid":
				if v <= SaturationMargin || v >= 1-SaturationMargin {
					a.sat++
				}
			case "tanh":
				if v <= -1+SaturationMargin || v >= 1-SaturationMargin {
					a.sat++
				}
			}
		}
		if any {
			a.alive[u] = true
		}
		a.n += int64(inner)
	}
}

func (a *layerAcc) health(node *nn.Node, examples int) LayerHealth {
	l := LayerHealth{Name: node.Name, Type: node.Layer.Type(), Shape: append([]int(nil), node.Shape...),
		Units: len(a.alive), After: sourceOf(node)}
	finite := a.n - int64(a.nonFinite)
	if a.n > 0 {
		l.Sparsity = float64(a.zeros) / float64(a.n)
		l.Saturation = float64(a.sat) / float64(a.n)
	}
	if finite > 0 {
		l.Mean = a.sum / float64(finite)
		l.Std = math.Sqrt(max(a.sumSq/float64(finite)-l.Mean*l.Mean, 0))
	}
	l.NonFinite = a.nonFinite
	for _, alive := range a.alive {
		if !alive {
			l.Dead++
		}
	}
	if l.Units > 0 && a.n > 0 {
		l.DeadFraction = float64(l.Dead) / float64(l.Units)
	}
	if w := weightOf(node.Layer); w != nil {
		l.WeightNorm = norm32(w.Value.Data)
		var s float64
		for _, v := range a.grad {
			s += v * v
		}
		if examples > 0 {
			l.GradNorm = math.Sqrt(s) / float64(examples)
		}
	}
	return l
}

// sourceOf names the nearest conv or dense layer upstream of a layer
// without weights, following first inputs; "" when there is none or the
// layer has weights itself.
func sourceOf(n *nn.Node) string {
	if weightOf(n.Layer) != nil {
		return ""
	}
	for len(n.Inputs) > 0 {
		n = n.Inputs[0]
		if n.Layer == nil {
			return ""
		}
		if t := n.Layer.Type(); t == "conv" || t == "dense" {
			return n.Name
		}
	}
	return ""
}

func norm32(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// Norm is the L2 norm of v, summed in float64.
func Norm(v []float32) float64 { return norm32(v) }

// WeightSnapshot copies the weights of every layer that has one, keyed by
// node name, so that UpdateRatios can compare them after an optimizer step.
func WeightSnapshot(g *nn.Graph) map[string][]float32 {
	snap := map[string][]float32{}
	for _, n := range g.Nodes[1:] {
		if w := weightOf(n.Layer); w != nil {
			snap[n.Name] = append([]float32(nil), w.Value.Data...)
		}
	}
	return snap
}

// UpdateRatios sets each weighted layer's UpdateRatio in h to
// ‖W - before‖/‖W‖, the size of the step since the snapshot relative to
// the weight (about 1e-3 is the usual healthy figure; Karpathy, CS231n).
func UpdateRatios(h *Health, g *nn.Graph, before map[string][]float32) {
	for _, n := range g.Nodes[1:] {
		w, old := weightOf(n.Layer), before[n.Name]
		l := h.Layer(n.Name)
		if w == nil || old == nil || l == nil || len(old) != w.Value.Len() {
			continue
		}
		var d float64
		for i, v := range w.Value.Data {
			e := float64(v) - float64(old[i])
			d += e * e
		}
		if wn := norm32(w.Value.Data); wn > 0 {
			l.UpdateRatio = math.Sqrt(d) / wn
		}
	}
}

// String formats a layer's health on one line, for logs.
func (l *LayerHealth) String() string {
	s := fmt.Sprintf("%s: sparsity %.2f, dead %d/%d, mean %.3g, std %.3g", l.Name, l.Sparsity, l.Dead, l.Units, l.Mean, l.Std)
	if l.Bounded() {
		s += fmt.Sprintf(", saturated %.2f", l.Saturation)
	}
	if l.HasWeight() {
		s += fmt.Sprintf(", |W| %.3g, |dW| %.3g", l.WeightNorm, l.GradNorm)
	}
	return s
}

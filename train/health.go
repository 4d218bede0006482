package train

import (
	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/probe"
	"github.com/convnet/convnet/tensor"
)

// DefaultHealthSample is how many training examples layer health is
// measured on after each epoch when Config.HealthSample is 0.
const DefaultHealthSample = 512

// HealthInfo is every layer's health after one epoch (see probe.Health),
// with the advice probe.Advisor gives for it. It is written to the
// metrics as a line of type "health".
type HealthInfo struct {
	Type  string `json:"type"` // "health"
	Epoch int    `json:"epoch"`
	Step  int    `json:"step"`
	probe.Health
	Advice []string `json:"advice,omitempty"`
}

// healthMonitor measures layer health once per epoch on a fixed sample of
// the training set, outside the steps: the only cost inside an epoch is a
// copy of the weights before its last optimizer step, for the
// update-to-weight ratios.
type healthMonitor struct {
	g       *nn.Graph
	x       *tensor.Tensor
	labels  []int
	before  map[string][]float32
	advisor probe.Advisor
}

func newHealthMonitor(m *nn.Model, ds *data.Dataset, sample int) *healthMonitor {
	if sample == 0 {
		sample = DefaultHealthSample
	}
	if sample < 0 {
		return nil
	}
	n := min(sample, ds.Len())
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	h := &healthMonitor{g: m.Graph, x: tensor.New(n, ds.C, ds.H, ds.W), labels: make([]int, n)}
	ds.Batch(idx, h.x.Data, h.labels, nil, nil)
	return h
}

// beforeStep snapshots the weights ahead of an epoch's last step.
func (h *healthMonitor) beforeStep() { h.before = probe.WeightSnapshot(h.g) }

// measure takes the epoch's health and advice after its last step.
func (h *healthMonitor) measure(epoch, step int) HealthInfo {
	hl := probe.Measure(h.g, h.x, h.labels, 256)
	probe.UpdateRatios(hl, h.g, h.before)
	return HealthInfo{Type: "health", Epoch: epoch, Step: step, Health: *hl, Advice: h.advisor.Advise(epoch, hl)}
}

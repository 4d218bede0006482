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

// healthMonitor measures layer health once per epoch on the first
// examples of the training set, batch by batch, outside the steps: the only
// cost inside an epoch is a copy of the weights before its last optimizer
// step, for the update-to-weight ratios.
type healthMonitor struct {
	g       *nn.Graph
	ds      *data.Dataset
	n       int
	x       tensor.Tensor
	idx     []int
	labels  []int
	before  map[string][]float32
	advisor probe.Advisor
}

func newHealthMonitor(m *nn.Model, ds *data.Dataset, sample, batch int) *healthMonitor {
	if sample == 0 {
		sample = DefaultHealthSample
	}
	if sample < 0 {
		return nil
	}
	return &healthMonitor{g: m.Graph, ds: ds, n: min(sample, ds.Len()), idx: make([]int, batch), labels: make([]int, batch)}
}

// beforeStep snapshots the weights ahead of an epoch's last step.
func (h *healthMonitor) beforeStep() { h.before = probe.WeightSnapshot(h.g) }

// measure takes the epoch's health and advice after its last step, in
// batches of the training batch size, so that it needs no more memory than
// training does.
func (h *healthMonitor) measure(epoch, step int) HealthInfo {
	meter := probe.NewMeter(h.g, true)
	b := len(h.idx)
	for lo := 0; lo < h.n; lo += b {
		k := min(b, h.n-lo)
		for i := range k {
			h.idx[i] = lo + i
		}
		h.x.Resize(k, h.ds.C, h.ds.H, h.ds.W)
		h.ds.Batch(h.idx[:k], h.x.Data, h.labels[:k], nil, nil)
		meter.Add(&h.x, h.labels[:k])
	}
	hl := meter.Health()
	probe.UpdateRatios(hl, h.g, h.before)
	return HealthInfo{Type: "health", Epoch: epoch, Step: step, Health: *hl, Advice: h.advisor.Advise(epoch, hl)}
}

package web

import (
	"sort"
	"sync"
	"time"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/train"
)

// Point is one training step as the curves draw it.
type Point struct {
	Step  int     `json:"s"`
	Epoch int     `json:"e"`
	Loss  float32 `json:"l"`
	Acc   float32 `json:"a"`
	LR    float32 `json:"lr"`
	IPS   float32 `json:"ips"` // images per second so far this epoch
	Time  float32 `json:"t"`   // seconds since the run started
}

// maxPoints caps the steps a Hub keeps; past it, every other one is
// dropped and only every second step is kept from then on, so a long run
// keeps its whole history at a coarser grain.
const maxPoints = 1 << 16

// Status is where a run is.
type Status struct {
	Training bool   `json:"training"` // a run feeds this hub
	Done     bool   `json:"done"`     // the run ended
	Epochs   int    `json:"epochs"`   // epochs the run will do
	Epoch    int    `json:"epoch"`    // epoch in progress or last finished
	Step     int    `json:"step"`
	Error    string `json:"error,omitempty"`
}

// Hub is what a training run shares with the dashboard. Step, Epoch,
// Health and Snapshot are meant for the training goroutine (train.Config's
// OnStep, OnEpoch and OnHealth): each takes the Hub's mutex for as long as
// it takes to copy a few numbers, or the weights, and never waits for a
// page. The server reads the Hub under the same mutex.
type Hub struct {
	// Every is the shortest time between two weight snapshots taken by
	// Snapshot without force; 0 takes 2 s.
	Every time.Duration

	mu        sync.Mutex
	status    Status
	points    []Point
	keepEvery int
	epochs    []train.EpochInfo
	health    []train.HealthInfo

	params    []*nn.Param // the training model's tensors, in modelTensors order
	weights   [][]float32 // the last snapshot of them
	version   int         // snapshots taken; 0 before the first
	epochSnap int         // version of the last snapshot taken at an epoch's end
	snapStep  int         // step of the last snapshot
	snapEpoch int
	lastSnap  time.Time
}

// NewHub makes a Hub for a run of the given number of epochs training m.
// Only Snapshot reads m, on the training goroutine. With m nil the Hub is
// for a trained model that no run feeds (convnet ui); LoadHistory may
// give it the curves of the run that made it.
func NewHub(m *nn.Model, epochs int) *Hub {
	if m == nil {
		return &Hub{keepEvery: 1}
	}
	params := modelTensors(m)
	w := make([][]float32, len(params))
	for i, p := range params {
		w[i] = make([]float32, p.Value.Len())
	}
	return &Hub{status: Status{Training: true, Epochs: epochs}, keepEvery: 1, params: params, weights: w}
}

// modelTensors lists what defines a model's outputs: its parameters, then
// its state (batch-norm running statistics), in graph order.
func modelTensors(m *nn.Model) []*nn.Param {
	return append(m.Graph.Params(), m.Graph.State()...)
}

// Step records one optimizer step.
func (h *Hub) Step(s train.StepInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.Epoch, h.status.Step = s.Epoch, s.Step
	if s.Step%h.keepEvery != 0 {
		return
	}
	if len(h.points) == maxPoints {
		kept := h.points[:0]
		for i := 1; i < len(h.points); i += 2 {
			kept = append(kept, h.points[i])
		}
		h.points = kept
		h.keepEvery *= 2
	}
	h.points = append(h.points, Point{Step: s.Step, Epoch: s.Epoch, Loss: float32(s.Loss), Acc: float32(s.Acc),
		LR: float32(s.LR), IPS: float32(s.ImgPerSec), Time: float32(s.Time)})
}

// Epoch records an epoch's summary.
func (h *Hub) Epoch(e train.EpochInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.epochs = append(h.epochs, e)
}

// Health records an epoch's layer health.
func (h *Hub) Health(hi train.HealthInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.health = append(h.health, hi)
}

// Snapshot copies the training model's weights for the dashboard when
// Every has passed since the last copy, or always with force (at the end
// of an epoch, set epochEnd too). Call it between steps, on the training
// goroutine: it reads the weights without other synchronisation.
func (h *Hub) Snapshot(epoch, step int, force, epochEnd bool) {
	every := h.Every
	if every == 0 {
		every = 2 * time.Second
	}
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if !force && now.Sub(h.lastSnap) < every {
		return
	}
	for i, p := range h.params {
		copy(h.weights[i], p.Value.Data)
	}
	h.version++
	h.snapStep, h.snapEpoch = step, epoch
	if epochEnd {
		h.epochSnap = h.version
	}
	h.lastSnap = now
}

// Finish marks the run as ended, with the error that ended it if any.
func (h *Hub) Finish(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.Done = true
	if err != nil {
		h.status.Error = err.Error()
	}
}

// LoadHistory fills a Hub that no run feeds with the steps, epochs and
// health of a finished run, as the metrics file holds them.
func (h *Hub) LoadHistory(steps []train.StepInfo, epochs []train.EpochInfo, health []train.HealthInfo) {
	for _, s := range steps {
		h.Step(s)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.epochs = append(h.epochs, epochs...)
	h.health = append(h.health, health...)
	if n := len(epochs); n > 0 {
		h.status.Epoch, h.status.Epochs = epochs[n-1].Epoch, epochs[n-1].Epoch
	}
}

// update is what a page has not seen yet.
type update struct {
	Points  []Point            `json:"points,omitempty"`
	Epochs  []train.EpochInfo  `json:"epochs,omitempty"`
	Health  []train.HealthInfo `json:"health,omitempty"`
	Status  *Status            `json:"status,omitempty"`
	Version int                `json:"version,omitempty"` // a new snapshot
	Eval    int                `json:"eval,omitempty"`    // a new epoch-end snapshot
	Epoch   int                `json:"snap_epoch,omitempty"`
	Step    int                `json:"snap_step,omitempty"`
}

// cursor is how far a page has been sent.
type cursor struct {
	step, epochs, health, version, eval int
	status                              Status
	statusSent                          bool
}

// since returns what changed after c and moves c on; ok is false when
// nothing did. Points are downsampled to at most maxSend by averaging
// runs of them, so that a page opened late gets a short history.
func (h *Hub) since(c *cursor, maxSend int) (u update, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := sort.Search(len(h.points), func(i int) bool { return h.points[i].Step > c.step })
	if pts := h.points[i:]; len(pts) > 0 {
		u.Points = downsample(pts, maxSend)
		c.step = pts[len(pts)-1].Step
		ok = true
	}
	if len(h.epochs) > c.epochs {
		u.Epochs = append(u.Epochs, h.epochs[c.epochs:]...)
		c.epochs = len(h.epochs)
		ok = true
	}
	if len(h.health) > c.health {
		u.Health = append(u.Health, h.health[c.health:]...)
		c.health = len(h.health)
		ok = true
	}
	if !c.statusSent || h.status != c.status {
		st := h.status
		u.Status = &st
		c.status, c.statusSent = st, true
		ok = true
	}
	if h.version != c.version {
		u.Version, u.Epoch, u.Step = h.version, h.snapEpoch, h.snapStep
		c.version = h.version
		ok = true
	}
	if h.epochSnap != c.eval {
		u.Eval = h.epochSnap
		c.eval = h.epochSnap
		ok = true
	}
	return u, ok
}

// downsample averages consecutive points into at most n, keeping the last
// step number of each run so that cursors stay exact.
func downsample(pts []Point, n int) []Point {
	if n <= 0 || len(pts) <= n {
		return append([]Point(nil), pts...)
	}
	out := make([]Point, 0, n)
	per := (len(pts) + n - 1) / n
	for lo := 0; lo < len(pts); lo += per {
		run := pts[lo:min(lo+per, len(pts))]
		var p Point
		for _, q := range run {
			p.Loss += q.Loss
			p.Acc += q.Acc
		}
		last := run[len(run)-1]
		k := float32(len(run))
		p.Loss, p.Acc = p.Loss/k, p.Acc/k
		p.Step, p.Epoch, p.LR, p.IPS, p.Time = last.Step, last.Epoch, last.LR, last.IPS, last.Time
		out = append(out, p)
	}
	return out
}

// loadInto copies the last snapshot into dst's tensors, which must be
// those of a model of the same layers, and returns its version. It returns
// 0 and leaves dst alone before the first snapshot.
func (h *Hub) loadInto(dst []*nn.Param) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.version == 0 {
		return 0
	}
	for i, p := range dst {
		copy(p.Value.Data, h.weights[i])
	}
	return h.version
}

// snapshotVersion returns the current snapshot and epoch-end snapshot versions.
func (h *Hub) snapshotVersion() (version, epochEnd int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version, h.epochSnap
}

// Attach makes cfg's run feed the Hub: every step is recorded and the
// weights copied at most every Every, and at every epoch's end the summary,
// the layer health and a snapshot. Callbacks already set still run, first.
func (h *Hub) Attach(cfg *train.Config) {
	onStep, onEpoch, onHealth := cfg.OnStep, cfg.OnEpoch, cfg.OnHealth
	cfg.OnStep = func(s train.StepInfo) {
		if onStep != nil {
			onStep(s)
		}
		h.Step(s)
		h.Snapshot(s.Epoch, s.Step, false, false)
	}
	cfg.OnEpoch = func(e train.EpochInfo) {
		if onEpoch != nil {
			onEpoch(e)
		}
		h.Epoch(e)
		h.Snapshot(e.Epoch, e.Step, true, true)
	}
	cfg.OnHealth = func(hi train.HealthInfo) {
		if onHealth != nil {
			onHealth(hi)
		}
		h.Health(hi)
	}
}

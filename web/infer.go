package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // uploads may be JPEG
	_ "image/png"
	"math"
	"sort"
	"sync"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx"
	"github.com/convnet/convnet/probe"
	"github.com/convnet/convnet/tensor"
)

// inference is the server's own copy of the model, brought up to date
// from the Hub's last snapshot before each use. One request at a time
// runs it (the graph keeps its buffers); results are cached per snapshot,
// so any number of pages cost one computation per snapshot.
type inference struct {
	mu      sync.Mutex
	hub     *Hub
	model   *nn.Model
	params  []*nn.Param
	test    *data.Dataset
	evalN   int
	version int

	maps        map[int][]byte // test image -> encoded mapsReply, for version
	eval        []byte
	evalVersion int // the hub's epoch-end snapshot the eval was made after
	x           tensor.Tensor
	probs       tensor.Tensor
}

// cloneModel returns a model with m's layers and weights that shares
// nothing with it: rebuilt from its spec, or through ONNX for a model
// imported from elsewhere.
func cloneModel(m *nn.Model) (*nn.Model, error) {
	var c *nn.Model
	var err error
	if m.Spec != "" {
		c, err = nn.NewModel(m.Spec, m.Input, m.Classes, nn.SpecOptions{Activation: m.Activation})
	} else {
		var b []byte
		if b, err = onnx.Marshal(m); err == nil {
			mp, rerr := onnx.ReadModel(b)
			if rerr != nil {
				return nil, rerr
			}
			c, err = onnx.Import(mp)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("web: cannot copy the model for the dashboard: %w", err)
	}
	c.Classes = m.Classes
	src, dst := modelTensors(m), modelTensors(c)
	if len(src) != len(dst) {
		return nil, fmt.Errorf("web: the model's copy has %d tensors, the model %d", len(dst), len(src))
	}
	for i := range src {
		if !tensor.EqualShape(src[i].Value.Shape, dst[i].Value.Shape) {
			return nil, fmt.Errorf("web: the model's copy has %s %s where the model has %s", dst[i].Name,
				tensor.ShapeString(dst[i].Value.Shape), tensor.ShapeString(src[i].Value.Shape))
		}
		copy(dst[i].Value.Data, src[i].Value.Data)
	}
	return c, nil
}

// sync loads the hub's last snapshot if it is newer than the model's
// weights, dropping the caches. The caller holds inf.mu.
func (inf *inference) sync() {
	if inf.params == nil {
		return // a trained model: nothing feeds it
	}
	v, _ := inf.hub.snapshotVersion()
	if v == inf.version {
		return
	}
	inf.version = inf.hub.loadInto(inf.params)
	inf.maps = map[int][]byte{}
}

// quantized is a tensor sent to the page as bytes: value Min + q/255·(Max-Min)
// for byte q (base64 in JSON), Min and Max over its finite values.
type quantized struct {
	Shape []int   `json:"shape"`
	Min   float32 `json:"min"`
	Max   float32 `json:"max"`
	Data  []byte  `json:"data"`
}

func quantize(shape []int, v []float32) *quantized {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, x := range v {
		if !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo > hi {
		lo, hi = 0, 0
	}
	q := &quantized{Shape: append([]int(nil), shape...), Min: lo, Max: hi, Data: make([]byte, len(v))}
	if span := hi - lo; span > 0 {
		for i, x := range v {
			if t := (x - lo) / span; t > 0 { // NaN and -Inf go to 0
				q.Data[i] = uint8(math.Round(float64(min(t, 1)) * 255))
			}
		}
	}
	return q
}

// layerView is one layer's activation maps, and a conv layer's filters.
type layerView struct {
	Name    string     `json:"name"`
	Type    string     `json:"type"`
	Desc    string     `json:"desc"`
	Maps    *quantized `json:"maps"`
	Filters *quantized `json:"filters,omitempty"`
}

// mapsReply is what a page draws for one image.
type mapsReply struct {
	Version  int           `json:"version"`
	Epoch    int           `json:"epoch"`
	Step     int           `json:"step"`
	Image    int           `json:"image"` // test image index; -1 for an upload
	Label    string        `json:"label,omitempty"`
	Inverted bool          `json:"inverted,omitempty"`
	Input    *quantized    `json:"input"`
	Layers   []layerView   `json:"layers"`
	Probs    []float32     `json:"probs"`
	Top      []probe.Class `json:"top"`
	Saliency *quantized    `json:"saliency,omitempty"`
	SalClass string        `json:"saliency_class,omitempty"`
}

// look records a forward pass on x and its saliency map. The caller holds
// inf.mu.
func (inf *inference) look(x []float32) *mapsReply {
	m := inf.model
	rec := probe.Record(m, x)
	r := &mapsReply{Version: inf.version, Input: quantize(rec.Input.Shape, rec.Input.Data), Probs: rec.Probs, Top: rec.Top(5, m.Classes)}
	_, r.Epoch, r.Step = inf.snapInfo()
	for i := range rec.Layers {
		l := &rec.Layers[i]
		if !probe.ShowsMaps(l.Type) && l.Type != "dense" {
			continue
		}
		v := layerView{Name: l.Name, Type: l.Type, Desc: l.Desc, Maps: quantize(l.Shape, l.Data)}
		if conv, ok := m.Graph.Node(l.Name).Layer.(*nn.Conv2D); ok {
			v.Filters = quantize(conv.W.Value.Shape, conv.W.Value.Data)
		}
		r.Layers = append(r.Layers, v)
	}
	if len(m.Input) == 3 {
		if a, err := probe.Saliency(m, x, -1); err == nil {
			r.Saliency = quantize([]int{a.H, a.W}, a.Map)
			r.SalClass = className(m, a.Class)
		}
	}
	return r
}

func (inf *inference) snapInfo() (version, epoch, step int) {
	h := inf.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version, h.snapEpoch, h.snapStep
}

func className(m *nn.Model, k int) string {
	if k >= 0 && k < len(m.Classes) {
		return m.Classes[k]
	}
	return fmt.Sprint(k)
}

// testMaps returns the encoded maps of test image i for the last snapshot.
func (inf *inference) testMaps(i int) ([]byte, error) {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	inf.sync()
	if b, ok := inf.maps[i]; ok {
		return b, nil
	}
	ds := inf.test
	x := make([]float32, ds.Size())
	labels := []int{0}
	ds.Batch([]int{i}, x, labels, nil, nil)
	r := inf.look(x)
	r.Image, r.Label = i, className(inf.model, labels[0])
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if inf.maps == nil {
		inf.maps = map[int][]byte{}
	}
	if len(inf.maps) >= 64 { // pages pick a few images; keep memory bounded
		clear(inf.maps)
	}
	inf.maps[i] = b
	return b, nil
}

// wrong is a test image the model gets wrong.
type wrong struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Pred  string  `json:"pred"`
	PTrue float32 `json:"p_true"` // probability given to the true class
	PPred float32 `json:"p_pred"`
}

// evalReply is the model's performance on the first test images.
type evalReply struct {
	Step      int      `json:"step"`
	Epoch     int      `json:"epoch"`
	Examples  int      `json:"examples"`
	Total     int      `json:"total"` // test images in the set
	Accuracy  float64  `json:"accuracy"`
	Classes   []string `json:"classes"`
	Confusion [][]int  `json:"confusion"` // [true][predicted]
	Wrong     []wrong  `json:"wrong"`     // most confidently wrong first
}

// maxWrong is how many misclassified test images the page lists.
const maxWrong = 24

// evaluate returns the encoded evalReply, recomputed once per epoch-end
// snapshot (and once for a trained model).
func (inf *inference) evaluate() ([]byte, error) {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	inf.sync()
	_, epochEnd := inf.hub.snapshotVersion()
	if inf.eval != nil && inf.evalVersion == epochEnd {
		return inf.eval, nil
	}
	m, ds := inf.model, inf.test
	k := len(m.Classes)
	n := min(inf.evalN, ds.Len())
	r := &evalReply{Examples: n, Total: ds.Len(), Classes: m.Classes, Confusion: make([][]int, k)}
	_, r.Epoch, r.Step = inf.snapInfo()
	for i := range r.Confusion {
		r.Confusion[i] = make([]int, k)
	}
	const batch = 250
	idx := make([]int, batch)
	labels := make([]int, batch)
	var wrongs []wrong
	correct := 0
	for lo := 0; lo < n; lo += batch {
		b := min(batch, n-lo)
		for i := range b {
			idx[i] = lo + i
		}
		inf.x.Resize(b, ds.C, ds.H, ds.W)
		ds.Batch(idx[:b], inf.x.Data, labels[:b], nil, nil)
		m.Predict(&inf.x, &inf.probs)
		for i := range b {
			row := inf.probs.Data[i*k : (i+1)*k]
			pred := 0
			for j, p := range row {
				if p > row[pred] {
					pred = j
				}
			}
			y := labels[i]
			if y < 0 || y >= k {
				continue
			}
			r.Confusion[y][pred]++
			if pred == y {
				correct++
				continue
			}
			wrongs = append(wrongs, wrong{Index: lo + i, Label: className(m, y), Pred: className(m, pred), PTrue: row[y], PPred: row[pred]})
		}
	}
	if n > 0 {
		r.Accuracy = float64(correct) / float64(n)
	}
	sort.SliceStable(wrongs, func(a, b int) bool { return wrongs[a].PTrue < wrongs[b].PTrue })
	r.Wrong = wrongs[:min(maxWrong, len(wrongs))]
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	inf.eval, inf.evalVersion = b, epochEnd
	return b, nil
}

// uploadError is an upload that is not an image the model can take.
type uploadError struct{ msg string }

func (e *uploadError) Error() string { return "web: " + e.msg }

// maxUploadPixels caps the width×height an uploaded image's header may
// claim before it is decoded.
const maxUploadPixels = 1 << 22

// predict runs the model on an uploaded PNG or JPEG.
func (inf *inference) predict(body []byte) ([]byte, error) {
	x, inverted, err := inf.decode(body)
	if err != nil {
		return nil, err
	}
	inf.mu.Lock()
	defer inf.mu.Unlock()
	inf.sync()
	r := inf.look(x)
	r.Image, r.Inverted = -1, inverted
	return json.Marshal(r)
}

// decode turns an uploaded image into the model's input as the test set
// holds it: the model's channels and size, scaled as the data is; gray
// images with a light background (a dark digit on paper) are inverted to
// MNIST's light on dark.
func (inf *inference) decode(body []byte) ([]float32, bool, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return nil, false, &uploadError{"not a PNG or JPEG image: " + err.Error()}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxUploadPixels/cfg.Height {
		return nil, false, &uploadError{fmt.Sprintf("image size %dx%d is empty or over %d pixels", cfg.Width, cfg.Height, maxUploadPixels)}
	}
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return nil, false, &uploadError{"cannot decode image: " + err.Error()}
	}
	ds := inf.test
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := &data.Dataset{Name: "upload", C: 3, H: h, W: w, Pixels: make([]uint8, 3*w*h), Labels: []int32{0}}
	hw := w * h
	for y := range h {
		for x := range w {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			_ = a // alpha-premultiplied: transparent is black, as the canvas background
			i := y*w + x
			src.Pixels[i], src.Pixels[hw+i], src.Pixels[2*hw+i] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
	conv, err := src.Resize(ds.C, ds.H, ds.W)
	if err != nil {
		return nil, false, &uploadError{err.Error()}
	}
	inverted := ds.C == 1 && data.LightBackground(conv.Pixels, ds.H, ds.W)
	if inverted {
		for i, v := range conv.Pixels {
			conv.Pixels[i] = 255 - v
		}
	}
	conv.Mean, conv.Std = ds.Mean, ds.Std
	x := make([]float32, ds.Size())
	conv.Batch([]int{0}, x, []int{0}, nil, nil)
	return x, inverted, nil
}

// Package serve answers inference requests over HTTP with the Open
// Inference Protocol, the REST API of KServe v2 that Triton Inference
// Server speaks too (https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/):
//
//	GET  /v2/health/live, /v2/health/ready       200 when the server is up / can take requests
//	GET  /v2                                     server metadata
//	GET  /v2/models/{name}[/versions/{v}]        model metadata: inputs and outputs with shapes
//	GET  /v2/models/{name}[/versions/{v}]/ready  200 when the model can take requests
//	POST /v2/models/{name}[/versions/{v}]/infer  JSON tensors in, JSON tensors out (FP32)
//
// and, beside the protocol, POST /v2/models/{name}/classify, which takes a
// PNG or JPEG body and returns the top classes, and GET /metrics in the
// Prometheus text format.
//
// Inputs and outputs carry the names of the ONNX file, so a request that
// works here works unchanged on Triton or KServe serving the same file.
//
// Requests are batched dynamically: one goroutine owns the model's graph
// and runs the requests that arrive within MaxDelay of each other, up to
// MaxBatch examples, as one forward pass, which gives every request the
// same numbers it would get alone.
//
// Memory is bounded twice: each body by MaxBody, and the bytes that all
// requests hold at once (bodies, decoded tensors, replies) by MaxInflight.
// A request that would go over it waits up to InflightWait and is then
// refused with 503 and a Retry-After header.
//
// Bad requests (malformed JSON, another datatype or shape, more values
// than the body cap allows, unknown models) get a 4xx status and a JSON
// body {"error": "..."}; the server goes on serving everyone else.
package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx"
	"github.com/convnet/convnet/tensor"
)

// Options configure a Server. Zero fields take the defaults noted.
type Options struct {
	Name     string        // model name in the URLs; "model"
	MaxBatch int           // examples per forward pass, at most; 32
	MaxDelay time.Duration // how long the first request of a batch waits for others; 2ms (negative: none)
	MaxBody  int64         // request body cap in bytes; 8 MiB

	// MaxInflight caps the bytes all requests hold at once: bodies,
	// the tensors decoded from them, the replies. Default
	// DefaultInflightFactor × MaxBody.
	MaxInflight int64
	// InflightWait is how long a request waits for room under
	// MaxInflight before a 503; 1s (negative: no wait).
	InflightWait time.Duration
	// Polling is how long the engine's idle threads poll for work before
	// they sleep; 0, the default, sleeps at once. Polling keeps a batch's
	// shards on their cores from pass to pass, which training wants, but a
	// server's cores have requests to answer meanwhile: with the engine's
	// polling for 50-500 µs, LeNet-5 served 13-30% fewer requests/s.
	// The setting is the engine's, for the whole process; New applies it.
	Polling time.Duration
}

// Default option values.
const (
	DefaultMaxBatch = 32
	DefaultMaxDelay = 2 * time.Millisecond
	DefaultMaxBody  = 8 << 20
	// A request may reserve about 3× its body (the body, then up to 4
	// bytes of float32 for every 2 bytes of JSON), so the default budget
	// holds about five requests of the largest size at once, or thousands
	// of typical one-image ones (3 KB).
	DefaultInflightFactor = 16
	DefaultInflightWait   = time.Second
)

func (o *Options) defaults() {
	if o.Name == "" {
		o.Name = "model"
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.MaxDelay == 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxInflight <= 0 {
		o.MaxInflight = DefaultInflightFactor * o.MaxBody
	}
	if o.InflightWait == 0 {
		o.InflightWait = DefaultInflightWait
	}
}

// Model is a model to serve with the names its ONNX file gives its input
// and output.
type Model struct {
	*nn.Model
	InputName  string
	OutputName string
}

// Load reads a model file for serving: ONNX, or a native convnet
// checkpoint (told apart by content). An ONNX file's graph input and
// output names are kept; a checkpoint's are those Export would write.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var magic [7]byte
	_, err = io.ReadFull(f, magic[:])
	f.Close()
	if err == nil && string(magic[:]) == "CONVNET" {
		m, err := nn.LoadModel(path)
		if err != nil {
			return nil, err
		}
		return &Model{Model: m, InputName: "input", OutputName: m.Graph.Output().Name}, nil
	}
	mp, err := onnx.LoadModel(path)
	if err != nil {
		return nil, err
	}
	m, err := onnx.Import(mp)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p, err := onnx.Compile(mp)
	if err != nil {
		return nil, err
	}
	return &Model{Model: m, InputName: p.Inputs[0].Name, OutputName: p.Outputs[0].Name}, nil
}

// NameFromPath is the model name a file gives by default: its base name
// without the extension.
func NameFromPath(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// Server serves one model. Its Handler is safe for concurrent requests;
// Close stops it.
type Server struct {
	model   *Model
	opts    Options
	batcher *batcher
	budget  *budget
	metrics *metrics
	mux     *http.ServeMux
	closing atomic.Bool
	in, out []int // per-example input and output shapes
}

// New starts serving m. Call Close when done.
func New(m *Model, opts Options) *Server {
	opts.defaults()
	kernel.SetSpinWait(opts.Polling)
	s := &Server{model: m, opts: opts, budget: newBudget(opts.MaxInflight),
		in: m.Graph.InputShape(), out: m.Graph.Output().Shape}
	s.metrics = newMetrics(opts.MaxBatch, s.budget)
	s.batcher = newBatcher(m.Model, opts.MaxBatch, max(opts.MaxDelay, 0), s.metrics.observeBatch)
	s.routes()
	return s
}

// Close stops the batcher after the requests it holds are answered; call
// it after the HTTP server has shut down.
func (s *Server) Close() {
	if s.closing.Swap(true) {
		return
	}
	s.batcher.close()
}

// Handler is the server's HTTP API.
func (s *Server) Handler() http.Handler { return s.metrics.instrument(s.mux) }

// route is one entry of the API: a method and a ServeMux pattern.
type route struct {
	method, pattern string
	h               http.HandlerFunc
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	var table []route
	model := func(suffix string, method string, h http.HandlerFunc) {
		table = append(table,
			route{method, "/v2/models/{name}" + suffix, h},
			route{method, "/v2/models/{name}/versions/{version}" + suffix, h})
	}
	table = append(table,
		route{"GET", "/v2/health/live", s.live},
		route{"GET", "/v2/health/ready", s.ready},
		route{"GET", "/v2", s.serverMetadata},
		route{"GET", "/metrics", s.metrics.serveHTTP},
	)
	model("", "GET", s.modelMetadata)
	model("/ready", "GET", s.modelReady)
	model("/infer", "POST", s.infer)
	model("/classify", "POST", s.classify)
	for _, r := range table {
		s.mux.HandleFunc(r.pattern, methodOnly(r.method, r.h))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	})
}

// methodOnly answers other methods with 405 and a JSON error (ServeMux's
// own 405 is plain text). HEAD is allowed wherever GET is.
func methodOnly(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method && !(method == "GET" && r.Method == "HEAD") {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, method))
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"cannot encode the reply"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"live": true})
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.closing.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]bool{"ready": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ready": true})
}

func (s *Server) serverMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"name": "convnet", "version": "1", "extensions": []string{}})
}

// checkModel answers 404 unless the URL names the served model (any
// version, or "1").
func (s *Server) checkModel(w http.ResponseWriter, r *http.Request) bool {
	if name := r.PathValue("name"); name != s.opts.Name {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown model %q: this server serves %q", name, s.opts.Name))
		return false
	}
	if v := r.PathValue("version"); v != "" && v != "1" {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model %q has no version %q: it has version 1", s.opts.Name, v))
		return false
	}
	return true
}

func batchShape(example []int) []int {
	return append([]int{-1}, example...)
}

func (s *Server) modelMetadata(w http.ResponseWriter, r *http.Request) {
	if !s.checkModel(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, modelMetadata{
		Name: s.opts.Name, Versions: []string{"1"}, Platform: "onnxruntime_onnx",
		Inputs:  []tensorMeta{{Name: s.model.InputName, Datatype: "FP32", Shape: batchShape(s.in)}},
		Outputs: []tensorMeta{{Name: s.model.OutputName, Datatype: "FP32", Shape: batchShape(s.out)}},
	})
}

func (s *Server) modelReady(w http.ResponseWriter, r *http.Request) {
	if !s.checkModel(w, r) {
		return
	}
	s.ready(w, r)
}

// bodySize is the most bytes r's body may bring: its Content-Length, or
// MaxBody when it is sent in chunks of unknown total.
func (s *Server) bodySize(r *http.Request) int64 {
	if r.ContentLength >= 0 {
		return min(r.ContentLength, s.opts.MaxBody)
	}
	return s.opts.MaxBody
}

// reserve takes n bytes of the in-flight budget for r before its body is
// read, answering 413 for a body over MaxBody and 503 (with Retry-After)
// when the budget has no room within InflightWait.
func (s *Server) reserve(w http.ResponseWriter, r *http.Request, n int64) (*reservation, bool) {
	if r.ContentLength > s.opts.MaxBody {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is %d bytes, over the %d allowed", r.ContentLength, s.opts.MaxBody))
		return nil, false
	}
	held, err := s.budget.acquire(r.Context(), n, s.opts.InflightWait)
	if err != nil {
		if errors.Is(err, errBusy) {
			s.busy(w)
		} else {
			writeError(w, http.StatusRequestTimeout, err.Error())
		}
		return nil, false
	}
	return &reservation{b: s.budget, held: held}, true
}

// busy answers 503: the in-flight budget is full.
func (s *Server) busy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("the server is busy: requests in flight hold its %d bytes (--max-inflight-bytes); retry shortly", s.opts.MaxInflight))
}

// readBody reads the body, at most MaxBody bytes, answering 413 past that
// and 408 when the client is too slow for the server's read timeout. A
// body of known length is read into buf if it fits, else into a new slice
// of exactly that size.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, buf []byte) ([]byte, bool) {
	src := http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
	var b []byte
	var err error
	if r.ContentLength >= 0 {
		// net/http stops the body at Content-Length (checked against
		// MaxBody in reserve): no byte past it is read.
		if r.ContentLength <= int64(cap(buf)) {
			b = buf[:r.ContentLength]
		} else {
			b = make([]byte, r.ContentLength)
		}
		_, err = io.ReadFull(src, b)
	} else {
		var buf bytes.Buffer
		_, err = buf.ReadFrom(src)
		b = buf.Bytes()
	}
	if err == nil {
		return b, true
	}
	var tooBig *http.MaxBytesError
	var netErr interface{ Timeout() bool }
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over the %d bytes allowed", s.opts.MaxBody))
	case errors.As(err, &netErr) && netErr.Timeout():
		writeError(w, http.StatusRequestTimeout, "the body did not arrive in time")
	default:
		writeError(w, http.StatusBadRequest, "cannot read the body: "+err.Error())
	}
	return nil, false
}

// bodies recycles the buffers infer bodies are read into, up to
// maxPooledBody bytes (a one-image MNIST request is 2-9 KB); larger ones
// are left to the garbage collector, so that the pool never holds much.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBody = 64 << 10

// replyBytesPerValue bounds what an output value costs until its reply is
// written: 4 bytes of float32 and at most 16 of JSON ("-1.2345678e-38,").
const replyBytesPerValue = 4 + 16

// inferBytes bounds the bytes an infer request with a body of size bytes
// holds at once: the body; its tensor, whose every value takes at least
// two bytes of JSON ("0,") and four of float32; and the reply for as many
// examples as such a tensor can hold.
func (s *Server) inferBytes(size int64) int64 {
	values := (size + 1) / 2
	examples := values / int64(tensor.Size(s.in))
	return size + 4*values + examples*int64(tensor.Size(s.out))*replyBytesPerValue
}

// maxValues is how many numbers a body of the capped size can hold at
// most: each takes at least two bytes ("0,").
func (s *Server) maxValues() int {
	return int(min(s.opts.MaxBody/2, math.MaxInt32))
}

func (s *Server) infer(w http.ResponseWriter, r *http.Request) {
	if !s.checkModel(w, r) {
		return
	}
	res, ok := s.reserve(w, r, s.inferBytes(s.bodySize(r)))
	if !ok {
		return
	}
	defer res.done()
	bp := bodies.Get().(*[]byte)
	body, ok := s.readBody(w, r, *bp)
	if !ok {
		bodies.Put(bp)
		return
	}
	id, x, n, outputs, err := ParseInferRequest(body, s.model.InputName, s.in, s.maxValues())
	// The body is read (nothing parsed from it refers to it): from here on
	// the request holds its tensor and, soon, its reply.
	if cap(body) <= maxPooledBody {
		*bp = body
		bodies.Put(bp)
	}
	body = nil
	if err != nil {
		re := err.(*RequestError)
		writeError(w, re.Status, re.Msg)
		return
	}
	res.shrink(int64(4*len(x) + n*tensor.Size(s.out)*replyBytesPerValue))
	for _, o := range outputs {
		if o != s.model.OutputName {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown output %q: the model's output is %q", o, s.model.OutputName))
			return
		}
	}
	y, err := s.batcher.do(r.Context(), x, n)
	if err != nil {
		s.runError(w, err)
		return
	}
	writeInferResponse(w, &inferResponse{
		ModelName: s.opts.Name, ModelVersion: "1", ID: id,
		Outputs: []responseOutput{{Name: s.model.OutputName, Datatype: "FP32", Shape: append([]int{n}, s.out...), Data: y}},
	})
}

func (s *Server) runError(w http.ResponseWriter, err error) {
	if errors.Is(err, errClosed) {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	// The client has gone (or its deadline passed): nobody reads this.
	writeError(w, http.StatusRequestTimeout, err.Error())
}

// maxUploadPixels caps the width×height an uploaded image may claim
// (2048×2048: a 16 MiB decode at most).
const maxUploadPixels = 1 << 22

// classScore is one of the top classes /classify returns.
type classScore struct {
	Class string  `json:"class"`
	Index int     `json:"index"`
	Prob  float64 `json:"probability"`
}

// classify takes a PNG or JPEG body, converts it to the model's input as
// `convnet predict` does (gray or RGB, resized, scaled to [0, 1]; ?invert=
// auto|yes|no for gray images) and returns the ?top= (default 3) classes
// by probability (softmax of the output).
func (s *Server) classify(w http.ResponseWriter, r *http.Request) {
	if !s.checkModel(w, r) {
		return
	}
	if len(s.in) != 3 || len(s.out) != 1 {
		writeError(w, http.StatusBadRequest, "the model does not take images or does not output classes")
		return
	}
	top := 3
	if t := r.URL.Query().Get("top"); t != "" {
		v, err := strconv.Atoi(t)
		if err != nil || v < 1 {
			writeError(w, http.StatusBadRequest, "top must be a whole number of at least 1")
			return
		}
		top = v
	}
	invert := r.URL.Query().Get("invert")
	if invert == "" {
		invert = "auto"
	}
	if invert != "auto" && invert != "yes" && invert != "no" {
		writeError(w, http.StatusBadRequest, "invert takes auto, yes or no")
		return
	}
	res, ok := s.reserve(w, r, s.bodySize(r))
	if !ok {
		return
	}
	defer res.done()
	body, ok := s.readBody(w, r, nil)
	if !ok {
		return
	}
	c, h, wd := s.in[0], s.in[1], s.in[2]
	// Decoding holds the image at up to 8 bytes a pixel (16-bit RGBA) and
	// its c channels at a byte each; the header says how many pixels. A
	// body that is no image is left to DecodeImage to refuse.
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(body)); err == nil && cfg.Width > 0 && cfg.Height > 0 && cfg.Width <= maxUploadPixels/cfg.Height {
		if !res.grow(int64(len(body) + cfg.Width*cfg.Height*(8+c) + c*h*wd*5)) {
			s.busy(w)
			return
		}
	}
	pix, err := data.DecodeImage("upload", body, c, h, wd, maxUploadPixels)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	inverted := c == 1 && (invert == "yes" || invert == "auto" && data.LightBackground(pix, h, wd))
	x := make([]float32, len(pix))
	for i, v := range pix {
		if inverted {
			v = 255 - v
		}
		x[i] = float32(v) / 255
	}
	y, err := s.batcher.do(r.Context(), x, 1)
	if err != nil {
		s.runError(w, err)
		return
	}
	probs := softmax(y)
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	scores := []classScore{}
	for _, k := range order[:min(top, len(order))] {
		name := strconv.Itoa(k)
		if k < len(s.model.Classes) {
			name = s.model.Classes[k]
		}
		scores = append(scores, classScore{Class: name, Index: k, Prob: probs[k]})
	}
	writeJSON(w, http.StatusOK, map[string]any{"model_name": s.opts.Name, "inverted": inverted, "top": scores})
}

// softmax turns logits into probabilities, unless the model's last layer
// already did.
func softmax(y []float32) []float64 {
	p := make([]float64, len(y))
	mx := math.Inf(-1)
	for _, v := range y {
		mx = max(mx, float64(v))
	}
	var sum float64
	for i, v := range y {
		p[i] = math.Exp(float64(v) - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// HTTPServer returns an http.Server for h on addr with the limits that
// keep slow or vanished clients from holding the server: a deadline for
// the headers and for the whole request, for writing the reply and for
// idle connections, and a cap on the header size.
func HTTPServer(addr string, h http.Handler, readTimeout time.Duration) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: min(readTimeout, 5*time.Second),
		ReadTimeout:       readTimeout,
		WriteTimeout:      readTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Run serves s on the listener of hs until ctx is done, then shuts down
// gracefully: it stops accepting, lets the requests in flight finish (for
// up to grace), and stops the batcher.
func Run(ctx context.Context, hs *http.Server, serve func() error, s *Server, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.closing.Store(true) // readiness goes false at once
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	s.batcher.close()
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

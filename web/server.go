package web

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

//go:embed assets
var assets embed.FS

// pageTemplates is the one template set: the page.
var pageTemplates = template.Must(template.ParseFS(assets, "assets/index.html"))

// Options tune a Server; zero fields take the defaults noted.
type Options struct {
	Title     string // shown in the page's heading: the model's file or spec
	MaxUpload int64  // bytes a POST /api/predict may carry; 4 MiB
	EvalSize  int    // test images the confusion matrix is made on; 1000
	// Interval is how often an event stream looks for news to send; 250 ms.
	// Whatever happened in between goes in one event.
	Interval time.Duration
}

// Server is the dashboard's HTTP handler.
type Server struct {
	hub  *Hub
	inf  *inference
	test *data.Dataset
	opts Options
	info modelInfo
	mux  *http.ServeMux
}

// modelInfo describes the model for the page.
type modelInfo struct {
	Title    string      `json:"title"`
	Input    []int       `json:"input"`
	Classes  []string    `json:"classes"`
	Layers   []layerInfo `json:"layers"`
	Params   int         `json:"params"`
	TestSet  string      `json:"test_set"`
	TestSize int         `json:"test_size"`
}

// LastImage is the highest test-image number the page offers: images are
// numbered from 0, so it is one less than TestSize.
func (m modelInfo) LastImage() int { return m.TestSize - 1 }

type layerInfo struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Desc   string `json:"desc"`
	Shape  []int  `json:"shape"`
	Params int    `json:"params"`
}

// dashboardPolling is how long the engine's idle threads poll for work
// while a dashboard serves (kernel.SetSpinWait, for the whole process):
// less than training's default, so that the pages' handlers get the cores
// between steps. With 10 pages open beside training
// (web/overhead_test.go), polling for 500 µs kept 100%, 93.7%, 96.9% and
// 93.5% of training's speed, the CPU per training image up by as much as
// 7.7%; 100 µs kept 97.8%, 97.8%, 90.6% (96.6% by the median of its
// rounds' ratios, on a slow stretch of the machine), 98.7%, 99.2% and
// 96.7%, the CPU per image -0.3% to +3.3%.
const dashboardPolling = 100 * time.Microsecond

// New makes the dashboard for the model m and its test set (same input
// shape and classes). When hub is fed by a run training m, call New before
// the run starts: it copies m, and afterwards only reads the hub. With a hub
// made by NewHub(nil, 0), m is a trained model and the server runs it.
func New(hub *Hub, m *nn.Model, test *data.Dataset, opts Options) (*Server, error) {
	kernel.SetSpinWait(dashboardPolling)
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 4 << 20
	}
	if opts.EvalSize <= 0 {
		opts.EvalSize = 1000
	}
	if opts.Interval <= 0 {
		opts.Interval = 250 * time.Millisecond
	}
	if test == nil || test.Len() == 0 {
		return nil, errors.New("web: the dashboard needs a test set with at least one image")
	}
	if !tensor.EqualShape(m.Input, []int{test.C, test.H, test.W}) || len(m.Classes) != len(test.Classes) {
		return nil, fmt.Errorf("web: the model takes %s images of %d classes, the test set %s has %dx%dx%d images of %d",
			tensor.ShapeString(m.Input), len(m.Classes), test.Name, test.C, test.H, test.W, len(test.Classes))
	}
	inf := &inference{hub: hub, model: m, test: test, evalN: opts.EvalSize}
	if hub.params != nil {
		c, err := cloneModel(m)
		if err != nil {
			return nil, err
		}
		inf.model, inf.params = c, modelTensors(c)
	}
	s := &Server{hub: hub, inf: inf, test: test, opts: opts, mux: http.NewServeMux()}
	s.info = describe(m, opts.Title, test)
	for _, r := range routes {
		h := r.handler
		s.mux.HandleFunc(r.pattern, func(w http.ResponseWriter, req *http.Request) { h(s, w, req) })
	}
	return s, nil
}

func describe(m *nn.Model, title string, test *data.Dataset) modelInfo {
	info := modelInfo{Title: title, Input: m.Input, Classes: m.Classes, TestSet: test.Name, TestSize: test.Len()}
	for _, n := range m.Graph.Nodes[1:] {
		p := 0
		for _, q := range n.Layer.Params() {
			p += q.Value.Len()
		}
		info.Params += p
		info.Layers = append(info.Layers, layerInfo{Name: n.Name, Type: n.Layer.Type(), Desc: nn.Describe(n.Layer), Shape: n.Shape, Params: p})
	}
	return info
}

// route is one entry of the routing table.
type route struct {
	pattern string // http.ServeMux pattern, method included
	handler func(*Server, http.ResponseWriter, *http.Request)
}

// routes is every route the server answers; anything else is a 404.
var routes = []route{
	{"GET /{$}", (*Server).page},
	{"GET /assets/{file}", (*Server).asset},
	{"GET /api/state", (*Server).state},
	{"GET /api/events", (*Server).events},
	{"GET /api/maps", (*Server).maps},
	{"GET /api/eval", (*Server).eval},
	{"GET /api/testimage/{n}", (*Server).testImage},
	{"POST /api/predict", (*Server).predict},
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'")
	if err := pageTemplates.ExecuteTemplate(w, "index.html", s.info); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// asset serves a file of the embedded assets folder, and nothing else: the
// name is looked up in the embedded file system, which has no parent.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "index.html" || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(assets, "assets/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	for ext, t := range types {
		if strings.HasSuffix(name, ext) {
			w.Header().Set("Content-Type", t)
		}
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// stateReply is everything a page needs to start: the model, the run's
// history so far and where it is.
type stateReply struct {
	Model modelInfo `json:"model"`
	update
}

// maxHistory is how many points of the loss curve a page gets on loading.
const maxHistory = 2000

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	var c cursor
	u, _ := s.hub.since(&c, maxHistory)
	writeJSON(w, stateReply{Model: s.info, update: u})
}

func (s *Server) maps(w http.ResponseWriter, r *http.Request) {
	query, ok := parseQuery(w, r)
	if !ok {
		return
	}
	i := 0
	if q := query.Get("image"); q != "" {
		var err error
		if i, err = strconv.Atoi(q); err != nil || i < 0 || i >= s.test.Len() {
			http.Error(w, fmt.Sprintf("image must be a test image index in [0, %d)", s.test.Len()), http.StatusBadRequest)
			return
		}
	}
	b, err := s.inf.testMaps(i)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBytes(w, b)
}

func (s *Server) eval(w http.ResponseWriter, r *http.Request) {
	b, err := s.inf.evaluate()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBytes(w, b)
}

func (s *Server) testImage(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("n"), ".png"))
	if err != nil || n < 0 || n >= s.test.Len() {
		http.Error(w, fmt.Sprintf("want /api/testimage/N.png with N in [0, %d)", s.test.Len()), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=86400")
	if err := encodePNG(w, s.test, n); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (s *Server) predict(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxUpload))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("upload over %d bytes", s.opts.MaxUpload), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	b, err := s.inf.predict(body)
	if err != nil {
		var ue *uploadError
		if errors.As(err, &ue) {
			http.Error(w, ue.Error(), http.StatusBadRequest)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBytes(w, b)
}

// events streams what changes as server-sent events: one "update" event
// (an update object) per Interval at most, carrying everything since the
// last. A page that reads slowly only delays its own stream: the Hub is
// read under its mutex and written out after.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	// The page says what it has already (from /api/state or an earlier
	// stream): the last step, the epochs and health lines, the snapshots.
	var c cursor
	q, ok := parseQuery(w, r)
	if !ok {
		return
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"step", &c.step}, {"epochs", &c.epochs}, {"health", &c.health}, {"version", &c.version}, {"eval", &c.eval}} {
		if v := q.Get(f.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				http.Error(w, fmt.Sprintf("%s must be a count, not %q", f.name, v), http.StatusBadRequest)
				return
			}
			*f.dst = n
		}
	}
	tick := time.NewTicker(s.opts.Interval)
	defer tick.Stop()
	keepAlive := time.Now()
	fmt.Fprint(w, "retry: 2000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	for {
		wrote := false
		if u, ok := s.hub.since(&c, maxHistory); ok {
			b, err := json.Marshal(u)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: update\ndata: %s\n\n", b); err != nil {
				return
			}
			wrote = true
		} else if time.Since(keepAlive) > 15*time.Second {
			fmt.Fprint(w, ": keep-alive\n\n")
			wrote = true
		}
		if wrote {
			keepAlive = time.Now()
			if err := rc.Flush(); err != nil {
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// parseQuery reads the request's query, or answers 400 when it is
// malformed (a bad %-escape, a semicolon): r.URL.Query drops what it
// cannot parse, which would answer such a request as if it asked nothing.
func parseQuery(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		http.Error(w, "malformed query: "+err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return q, true
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBytes(w, b)
}

func writeBytes(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

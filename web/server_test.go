package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/probe"
	"github.com/convnet/convnet/train"
)

// newTestServer serves the dashboard of the tiny model with a Hub that
// feed or a real run can fill.
func newTestServer(t *testing.T) (*httptest.Server, *Hub, *Server) {
	t.Helper()
	m := tinyModel(t)
	hub := NewHub(m, 3)
	hub.Every = time.Millisecond
	srv, err := New(hub, m, tinyData(60, 2), Options{Title: "tiny", MaxUpload: 64 << 10, EvalSize: 50, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, hub, srv
}

// request is one call to the server and the status it must get.
type request struct {
	method, path string
	body         []byte
	want         int
}

// requests covers every route of the table, and malformed calls to them.
func requests(t *testing.T) []request {
	big := bytes.Repeat([]byte{0x89}, 65<<10)
	return []request{
		{"GET", "/", nil, 200},
		{"GET", "/assets/app.js", nil, 200},
		{"GET", "/assets/style.css", nil, 200},
		{"GET", "/assets/icon.svg", nil, 200},
		{"GET", "/api/state", nil, 200},
		{"GET", "/api/maps", nil, 200},
		{"GET", "/api/maps?image=7", nil, 200},
		{"GET", "/api/eval", nil, 200},
		{"GET", "/api/testimage/3.png", nil, 200},
		{"POST", "/api/predict", pngOf(t, 40, 30), 200},
		{"POST", "/api/predict", pngOf(t, 12, 12), 200},
		// malformed requests: a 4xx, and the server keeps serving
		{"GET", "/api/maps?image=-1", nil, 400},
		{"GET", "/api/maps?image=60", nil, 400},
		{"GET", "/api/maps?image=x", nil, 400},
		{"GET", "/api/testimage/60.png", nil, 404},
		{"GET", "/api/testimage/abc", nil, 404},
		{"GET", "/api/events?step=-3", nil, 400},
		{"GET", "/api/events?version=x", nil, 400},
		{"GET", "/api/events?step=%zz", nil, 400},
		{"GET", "/api/maps?image=%zz", nil, 400},
		{"GET", "/api/maps?image=1;image=2", nil, 400},
		{"POST", "/api/predict", []byte("not an image"), 400},
		{"POST", "/api/predict", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x7f\xff\xff\xff\x7f\xff\xff\xff\x08\x00\x00\x00\x00"), 400},
		{"POST", "/api/predict", big, 413},
		{"GET", "/api/predict", nil, 405},
		{"POST", "/api/state", nil, 405},
		{"GET", "/assets/index.html", nil, 404},
		{"GET", "/assets/nothing.js", nil, 404},
		{"GET", "/assets/..%2f..%2fgo.mod", nil, 404},
		{"GET", "/assets/..%2fserver.go", nil, 404},
		{"GET", "/../../../etc/passwd", nil, 404},
		{"GET", "/web/server.go", nil, 404},
		{"GET", "/nothing", nil, 404},
	}
}

func do(ctx context.Context, base string, r request) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return 0, nil, err
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "image/png")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// firstUpdate opens the event stream at path and reads it up to its first
// update event, which must be an update object.
func firstUpdate(ctx context.Context, base, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		return fmt.Errorf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var u update
			return json.Unmarshal([]byte(data), &u)
		}
	}
	return fmt.Errorf("the stream ended with no update: %v", sc.Err())
}

// TestRoutesConcurrently fetches every route, and malformed requests,
// from many goroutines at once while a run feeds the Hub (run it with
// -race): each gets its status and the server keeps serving. The event
// stream, which never ends by itself, is read up to its first update.
func TestRoutesConcurrently(t *testing.T) {
	ts, hub, _ := newTestServer(t)
	m := tinyModel(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		feed(hub, m, 3, 40)
	}()
	reqs := requests(t)
	streams := []string{"/api/events", "/api/events?step=1&epochs=0&health=0&version=0&eval=0"}
	errs := make(chan error, 8*(len(reqs)+len(streams)))
	for round := range 8 {
		for _, path := range streams {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := firstUpdate(ctx, ts.URL, path); err != nil {
					errs <- fmt.Errorf("round %d GET %s: %v", round, path, err)
				}
			}()
		}
		for _, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, body, err := do(context.Background(), ts.URL, r)
				if err != nil {
					errs <- fmt.Errorf("round %d %s %s: %v", round, r.method, r.path, err)
					return
				}
				if code != r.want {
					errs <- fmt.Errorf("round %d %s %s: status %d, want %d (%.200s)", round, r.method, r.path, code, r.want, body)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Still serving.
	if code, _, err := do(context.Background(), ts.URL, request{"GET", "/api/state", nil, 200}); err != nil || code != 200 {
		t.Fatalf("after the requests: status %d, %v", code, err)
	}
}

func TestPageAndAssets(t *testing.T) {
	ts, _, _ := newTestServer(t)
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	// The test set holds 60 images, numbered 0 to 59.
	for _, want := range []string{`<script src="/assets/app.js"`, `href="/assets/style.css"`, `id="loss-chart"`, `id="draw-canvas"`, "tiny", "input 1×12×12",
		`id="image-index" type="number" min="0" max="59"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("page refers to another site: it must work with no network")
	}
	for _, name := range []string{"app.js", "style.css"} {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("http://")) || bytes.Contains(b, []byte("https://")) {
			t.Errorf("%s refers to another site", name)
		}
	}
}

func TestMapsAndEval(t *testing.T) {
	ts, hub, _ := newTestServer(t)
	feed(hub, tinyModel(t), 1, 3)
	_, b, err := do(context.Background(), ts.URL, request{"GET", "/api/maps?image=4", nil, 200})
	if err != nil {
		t.Fatal(err)
	}
	var r mapsReply
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Image != 4 || r.Label != "4" || len(r.Probs) != 10 || r.Saliency == nil || r.Version == 0 {
		t.Errorf("maps reply: image %d label %q, %d probs, saliency %v, version %d", r.Image, r.Label, len(r.Probs), r.Saliency != nil, r.Version)
	}
	var names []string
	for _, l := range r.Layers {
		names = append(names, l.Name)
		if len(l.Maps.Data) == 0 {
			t.Errorf("%s: no data", l.Name)
		}
	}
	if got := strings.Join(names, " "); got != "conv1 relu1 maxpool1 conv2 relu2 dense1" {
		t.Errorf("layers %q", got)
	}
	if f := r.Layers[0].Filters; f == nil || fmt.Sprint(f.Shape) != "[4 1 3 3]" || len(f.Data) != 36 {
		t.Errorf("conv1 filters: %+v", f)
	}
	if c := r.Layers[0].Maps.Shape; fmt.Sprint(c) != "[4 12 12]" {
		t.Errorf("conv1 maps shape %v", c)
	}
	_, b, err = do(context.Background(), ts.URL, request{"GET", "/api/eval", nil, 200})
	if err != nil {
		t.Fatal(err)
	}
	var ev evalReply
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, row := range ev.Confusion {
		for _, n := range row {
			total += n
		}
	}
	if ev.Examples != 50 || total != 50 || len(ev.Confusion) != 10 || ev.Total != 60 {
		t.Errorf("eval: %d examples, %d counted, %d rows, total %d", ev.Examples, total, len(ev.Confusion), ev.Total)
	}
	for i := 1; i < len(ev.Wrong); i++ {
		if ev.Wrong[i].PTrue < ev.Wrong[i-1].PTrue {
			t.Fatal("most-wrong list is not sorted by the true class's probability")
		}
	}
}

func TestQuantize(t *testing.T) {
	nan := float32(0)
	nan /= nan
	q := quantize([]int{5}, []float32{-1, 0, 1, nan, 3})
	if q.Min != -1 || q.Max != 3 || fmt.Sprint(q.Data) != "[0 64 128 0 255]" {
		t.Errorf("quantize: %+v", q)
	}
	q = quantize([]int{2}, []float32{2, 2})
	if q.Min != 2 || q.Max != 2 || fmt.Sprint(q.Data) != "[0 0]" {
		t.Errorf("constant: %+v", q)
	}
}

// TestEventsStream reads the event stream while steps, epochs and
// snapshots arrive: every step comes through once, in order.
func TestEventsStream(t *testing.T) {
	ts, hub, _ := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	go feed(hub, tinyModel(t), 2, 30)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	last, epochs, versions := 0, 0, 0
	for last < 60 || epochs < 2 {
		if !sc.Scan() {
			t.Fatalf("stream ended after step %d, %d epochs: %v", last, epochs, sc.Err())
		}
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var u update
		if err := json.Unmarshal([]byte(data), &u); err != nil {
			t.Fatal(err)
		}
		for _, p := range u.Points {
			if p.Step != last+1 {
				t.Fatalf("step %d after %d", p.Step, last)
			}
			last = p.Step
		}
		epochs += len(u.Epochs)
		if u.Version != 0 {
			versions++
		}
	}
	if versions == 0 {
		t.Error("no snapshot announced")
	}
}

// TestSlowPageDoesNotBlockTraining holds event streams open without
// reading them while a long run is fed: the feeding ends, whatever the
// pages do.
func TestSlowPageDoesNotBlockTraining(t *testing.T) {
	ts, hub, _ := newTestServer(t)
	for range 4 {
		conn, err := http.Get(ts.URL + "/api/events")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Body.Close() // never read
	}
	done := make(chan struct{})
	go func() {
		feed(hub, tinyModel(t), 5, 2000)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("feeding the hub stalled behind pages that do not read")
	}
}

func TestHubThinsLongRuns(t *testing.T) {
	hub := NewHub(nil, 0)
	for s := 1; s <= maxPoints+10; s++ {
		hub.Step(train.StepInfo{Step: s})
	}
	if len(hub.points) > maxPoints || hub.keepEvery != 2 {
		t.Fatalf("%d points kept, every %d", len(hub.points), hub.keepEvery)
	}
	var c cursor
	u, _ := hub.since(&c, 100)
	if len(u.Points) > 100 || c.step != hub.points[len(hub.points)-1].Step {
		t.Errorf("since: %d points, cursor %d", len(u.Points), c.step)
	}
}

func TestNewRejectsMismatchedData(t *testing.T) {
	m := tinyModel(t)
	ds := tinyData(10, 1)
	ds.Classes = ds.Classes[:5]
	if _, err := New(NewHub(nil, 0), m, ds, Options{}); err == nil {
		t.Error("a test set of other classes was taken")
	}
	if _, err := New(NewHub(nil, 0), m, tinyData(0, 1), Options{}); err == nil {
		t.Error("an empty test set was taken")
	}
}

func TestReadMetrics(t *testing.T) {
	in := `{"type":"step","epoch":1,"step":1,"loss":2.3,"acc":0.1}
{"type":"step","epoch":1,"step":2,"loss":2.1,"acc":0.2}
{"type":"epoch","epoch":1,"step":2,"train_loss":2.2,"test_acc":0.3}

{"type":"health","epoch":1,"step":2,"examples":64,"layers":[{"layer":"conv1","sparsity":0.5}]}
{"type":"other"}
`
	steps, epochs, health, err := ReadMetrics(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || len(epochs) != 1 || len(health) != 1 || health[0].Layers[0].Sparsity != 0.5 || epochs[0].TestAcc != 0.3 {
		t.Errorf("got %d steps, %d epochs, %+v", len(steps), len(epochs), health)
	}
	if _, _, _, err := ReadMetrics(strings.NewReader("{\"type\":\"step\"}\nnot json\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
}

func FuzzReadMetrics(f *testing.F) {
	f.Add([]byte(`{"type":"step","step":1}` + "\n" + `{"type":"health","layers":[{}]}`))
	f.Add([]byte(`{"type":"epoch","epoch":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadMetrics(bytes.NewReader(b))
	})
}

// FuzzPredict posts arbitrary bodies: the answer is a 200 or a 4xx, never
// a crash.
func FuzzPredict(f *testing.F) {
	m := tinyModel(f)
	srv, err := New(NewHub(nil, 0), m, tinyData(10, 1), Options{MaxUpload: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pngOf(f, 20, 20))
	f.Add([]byte("\xff\xd8\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("POST", "/api/predict", bytes.NewReader(b)))
		if rec.Code != 200 && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}

// TestCloneModel copies a model built from a spec and one imported from
// ONNX (no spec): the copy computes the same and shares no weights.
func TestCloneModel(t *testing.T) {
	for _, spec := range []bool{true, false} {
		m := tinyModel(t)
		if !spec {
			m.Spec = ""
		}
		c, err := cloneModel(m)
		if err != nil {
			t.Fatalf("spec %v: %v", spec, err)
		}
		x := make([]float32, 144)
		for i := range x {
			x[i] = float32(i%13) / 13
		}
		a, b := inspectProbs(m, x), inspectProbs(c, x)
		for i := range a {
			if d := a[i] - b[i]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("spec %v: class %d: %g vs %g", spec, i, a[i], b[i])
			}
		}
		modelTensors(c)[0].Value.Data[0] += 1
		if modelTensors(m)[0].Value.Data[0] == modelTensors(c)[0].Value.Data[0] {
			t.Errorf("spec %v: the copy shares its weights", spec)
		}
	}
}

func inspectProbs(m *nn.Model, x []float32) []float32 {
	return probe.Record(m, x).Probs
}

// TestDashboardPolling: a dashboard lowers the engine's polling to
// dashboardPolling, so that its handlers get the cores between steps.
func TestDashboardPolling(t *testing.T) {
	defer kernel.SetSpinWait(kernel.SpinWait())
	kernel.SetSpinWait(kernel.DefaultSpinWait)
	newTestServer(t)
	if got := kernel.SpinWait(); got != dashboardPolling {
		t.Errorf("with a dashboard, the engine polls for %v, want %v", got, dashboardPolling)
	}
}

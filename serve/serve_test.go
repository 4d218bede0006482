package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx"
	"github.com/convnet/convnet/tensor"
)

const lenet5 = "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)"

// testModel is LeNet-5 with seeded random weights.
func testModel(t testing.TB) *Model {
	t.Helper()
	classes := make([]string, 10)
	for i := range classes {
		classes[i] = fmt.Sprint(i)
	}
	m, err := nn.NewModel(lenet5, []int{1, 28, 28}, classes, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(1)
	return &Model{Model: m, InputName: "input", OutputName: m.Graph.Output().Name}
}

func newTestServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s := New(testModel(t), opts)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Close() })
	return s, ts
}

// randomInput is n examples of 28×28 values in [0, 1).
func randomInput(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*28*28)
	for i := range x {
		x[i] = r.Float32()
	}
	return x
}

func inferBody(name string, x []float32, n int) []byte {
	b, _ := json.Marshal(map[string]any{"id": "t", "inputs": []map[string]any{{"name": name, "shape": []int{n, 1, 28, 28}, "datatype": "FP32", "data": x}}})
	return b
}

func post(t *testing.T, url string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestHealthAndMetadata(t *testing.T) {
	_, ts := newTestServer(t, Options{Name: "lenet"})
	for _, c := range []struct {
		path string
		code int
		want string
	}{
		{"/v2/health/live", 200, `{"live":true}`},
		{"/v2/health/ready", 200, `{"ready":true}`},
		{"/v2/models/lenet/ready", 200, `{"ready":true}`},
		{"/v2/models/lenet/versions/1/ready", 200, `{"ready":true}`},
		{"/v2/models/lenet", 200, `{"name":"lenet","versions":["1"],"platform":"onnxruntime_onnx","inputs":[{"name":"input","datatype":"FP32","shape":[-1,1,28,28]}],"outputs":[{"name":"dense3","datatype":"FP32","shape":[-1,10]}]}`},
		{"/v2/models/other", 404, `{"error":"unknown model \"other\": this server serves \"lenet\""}`},
		{"/v2/models/lenet/versions/2", 404, `{"error":"model \"lenet\" has no version \"2\": it has version 1"}`},
		{"/v2/nothing", 404, `{"error":"no such endpoint: /v2/nothing"}`},
		{"/v2/models/lenet/infer", 405, `{"error":"GET /v2/models/lenet/infer: use POST"}`},
	} {
		resp, err := http.Get(ts.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.code || strings.TrimSpace(string(b)) != c.want {
			t.Errorf("GET %s: %d %s, want %d %s", c.path, resp.StatusCode, b, c.code, c.want)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("GET %s: Content-Type %q", c.path, ct)
		}
	}
}

// inferAlone sends x (n examples) on its own and returns the output: when
// no other request is in flight the batcher runs it alone.
func inferAlone(t *testing.T, url string, x []float32, n int) []float32 {
	t.Helper()
	code, b := post(t, url, inferBody("input", x, n))
	var r inferResponse
	if err := json.Unmarshal(b, &r); err != nil || code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	return r.Outputs[0].Data
}

// closeTo checks a served output against the model run directly on one
// example: the same up to rounding (the batcher may pad the pass, and
// products of other sizes round differently).
func closeTo(t *testing.T, got []float32, x []float32) {
	t.Helper()
	m := testModel(t)
	want := m.Graph.Forward(tensor.FromData(x, 1, 1, 28, 28), false).Data
	for k := range want {
		if d := math.Abs(float64(got[k] - want[k])); d > 1e-5*(1+math.Abs(float64(want[k]))) {
			t.Fatalf("output %d: served %v, model alone %v", k, got[k], want[k])
		}
	}
}

// TestBatchedSameAsAlone sends concurrent requests that the server batches
// and compares every reply, bit for bit, with the model run on that
// request alone.
func TestBatchedSameAsAlone(t *testing.T) {
	s, ts := newTestServer(t, Options{Name: "m", MaxBatch: 8, MaxDelay: 200 * time.Millisecond})
	const clients = 16
	var wg sync.WaitGroup
	got := make([][]float32, clients)
	errs := make([]error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(ts.URL+"/v2/models/m/infer", "application/json", bytes.NewReader(inferBody("input", randomInput(uint64(i), 1), 1)))
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			var r inferResponse
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != 200 {
				errs[i] = fmt.Errorf("status %d, %v", resp.StatusCode, err)
				return
			}
			got[i] = r.Outputs[0].Data
			if r.ID != "t" || r.ModelName != "m" || r.Outputs[0].Name != "dense3" || fmt.Sprint(r.Outputs[0].Shape) != "[1 10]" {
				errs[i] = fmt.Errorf("reply %+v", r)
			}
		}()
	}
	wg.Wait()
	for i := range clients {
		if errs[i] != nil {
			t.Fatalf("client %d: %v", i, errs[i])
		}
		want := inferAlone(t, ts.URL+"/v2/models/m/infer", randomInput(uint64(i), 1), 1)
		closeTo(t, want, randomInput(uint64(i), 1))
		for k := range want {
			if got[i][k] != want[k] {
				t.Fatalf("client %d output %d: batched %v, alone %v", i, k, got[i][k], want[k])
			}
		}
	}
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	if s.metrics.batches.n == clients {
		t.Errorf("%d requests ran in %d batches: nothing was batched", clients, s.metrics.batches.n)
	}
}

// TestMultiExampleRequest sends 3 examples in one request, with the data
// nested as [N][C][H][W].
func TestMultiExampleRequest(t *testing.T) {
	_, ts := newTestServer(t, Options{Name: "m"})
	x := randomInput(7, 3)
	nested := make([][][][]float32, 3)
	for n := range nested {
		nested[n] = [][][]float32{make([][]float32, 28)}
		for h := range 28 {
			nested[n][0][h] = x[n*784+h*28 : n*784+h*28+28]
		}
	}
	body, _ := json.Marshal(map[string]any{"inputs": []map[string]any{{"name": "input", "shape": []int{3, 1, 28, 28}, "datatype": "FP32", "data": nested}}})
	code, b := post(t, ts.URL+"/v2/models/m/infer", body)
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var r inferResponse
	json.Unmarshal(b, &r)
	for n := range 3 {
		want := inferAlone(t, ts.URL+"/v2/models/m/infer", x[n*784:(n+1)*784], 1)
		for k, v := range want {
			if r.Outputs[0].Data[n*10+k] != v {
				t.Fatalf("example %d output %d: %v, want %v", n, k, r.Outputs[0].Data[n*10+k], v)
			}
		}
	}
}

// TestLargeRequestInParts sends more examples than --max-batch in one
// request: the server runs them in parts, and each output is the one the
// example gets alone.
func TestLargeRequestInParts(t *testing.T) {
	s, ts := newTestServer(t, Options{Name: "m", MaxBatch: 4})
	x := randomInput(9, 10)
	got := inferAlone(t, ts.URL+"/v2/models/m/infer", x, 10)
	if len(got) != 100 {
		t.Fatalf("%d outputs, want 100", len(got))
	}
	for n := range 10 {
		want := inferAlone(t, ts.URL+"/v2/models/m/infer", x[n*784:(n+1)*784], 1)
		for k, v := range want {
			if got[n*10+k] != v {
				t.Fatalf("example %d output %d: %v, alone %v", n, k, got[n*10+k], v)
			}
		}
	}
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	if s.metrics.batches.counts[len(s.metrics.batches.counts)-1] != 0 {
		t.Error("a forward pass ran more than --max-batch examples")
	}
}

// TestBadRequests sends each kind of bad body: every one gets its 4xx
// status and a JSON error, and a good request still works after them.
func TestBadRequests(t *testing.T) {
	_, ts := newTestServer(t, Options{Name: "m", MaxBody: 64 << 10})
	good := inferBody("input", randomInput(1, 1), 1)
	ones := strings.Repeat("1,", 783) + "1"
	body := func(name, dtype, shape, data string) string {
		return fmt.Sprintf(`{"inputs":[{"name":%q,"datatype":%q,"shape":%s,"data":%s}]}`, name, dtype, shape, data)
	}
	for _, c := range []struct {
		name, body string
		code       int
		want       string
	}{
		{"malformed JSON", `{"inputs":[`, 400, "malformed JSON"},
		{"not an object", `[1,2]`, 400, "malformed JSON"},
		{"trailing value", string(good) + "{}", 400, "more than one value"},
		{"no inputs", `{"inputs":[]}`, 400, "the request has 0"},
		{"wrong input name", body("x", "FP32", "[1,1,28,28]", "["+ones+"]"), 400, `unknown input "x"`},
		{"wrong dtype", body("input", "INT64", "[1,1,28,28]", "["+ones+"]"), 400, `datatype "INT64"`},
		{"wrong shape", body("input", "FP32", "[1,3,28,28]", "["+ones+"]"), 400, "the model takes [-1, 1, 28, 28]"},
		{"wrong rank", body("input", "FP32", "[784]", "["+ones+"]"), 400, "the model takes"},
		{"zero batch", body("input", "FP32", "[0,1,28,28]", "[]"), 400, "at least 1"},
		{"negative batch", body("input", "FP32", "[-5,1,28,28]", "[]"), 400, "at least 1"},
		{"huge declared shape", body("input", "FP32", "[9000000000000,1,28,28]", "[1]"), 413, "more than the"},
		{"data too short for the shape", body("input", "FP32", "[2,1,28,28]", "["+ones+"]"), 400, "1568 values, but its data is 1569 bytes long"},
		{"too few numbers", body("input", "FP32", "[2,1,28,28]", "["+ones+","+strings.Repeat("0.5,", 782)+"0.5]"), 400, "holds 1567 numbers, its shape says 1568"},
		{"too many numbers", body("input", "FP32", "[1,1,28,28]", "["+ones+",1]"), 400, "more than the 784 numbers"},
		{"strings in data", body("input", "FP32", "[1,1,28,28]", `["a",`+ones+`]`), 400, "array of numbers"},
		{"null data", body("input", "FP32", "[1,1,28,28]", `null`), 400, "array of numbers"},
		{"bare number", body("input", "FP32", "[1,1,28,28]", `1`), 400, "array of numbers"},
		{"out of float32 range", body("input", "FP32", "[1,1,28,28]", "[1e60,"+ones[2:]+"]"), 400, "not an FP32 number"},
		{"body over the cap", body("input", "FP32", "[1,1,28,28]", "["+strings.Repeat("0.000000000001,", 8000)+"1]"), 413, "over the 65536"},
		{"unknown output", `{"inputs":` + strings.TrimPrefix(string(good), `{"id":"t","inputs":`)[:len(good)-len(`{"id":"t","inputs":`)-1] + `,"outputs":[{"name":"probs"}]}`, 400, `unknown output "probs"`},
	} {
		code, b := post(t, ts.URL+"/v2/models/m/infer", []byte(c.body))
		var e errorBody
		if err := json.Unmarshal(b, &e); err != nil || code != c.code || !strings.Contains(e.Error, c.want) {
			t.Errorf("%s: %d %s, want %d and an error with %q", c.name, code, b, c.code, c.want)
		}
	}
	if code, b := post(t, ts.URL+"/v2/models/m/infer", good); code != 200 {
		t.Errorf("a good request after the bad ones: %d %s", code, b)
	}
}

// TestSlowAndVanishingClients holds connections that send half a body and
// stall, or half a body and hang up, while other clients are served; the
// staller gets a 408 with a JSON error once the read timeout passes.
func TestSlowAndVanishingClients(t *testing.T) {
	s := New(testModel(t), Options{Name: "m"})
	hs := HTTPServer("127.0.0.1:0", s.Handler(), 300*time.Millisecond)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer func() { hs.Close(); s.Close() }()
	url := "http://" + ln.Addr().String()
	body := inferBody("input", randomInput(1, 1), 1)
	head := fmt.Sprintf("POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))

	// A client that vanishes mid-body.
	gone, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(gone, head)
	gone.Write(body[:len(body)/2])
	gone.Close()

	// A client that stalls mid-body.
	slow, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	io.WriteString(slow, head)
	slow.Write(body[:len(body)/2])

	// Everyone else is served meanwhile.
	for range 5 {
		if code, b := post(t, url+"/v2/models/m/infer", body); code != 200 {
			t.Fatalf("a good request beside the slow ones: %d %s", code, b)
		}
	}
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufioReader(slow), nil)
	if err != nil {
		t.Fatalf("the stalled client got no reply: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	var e errorBody
	if resp.StatusCode != 408 || json.Unmarshal(b, &e) != nil || e.Error == "" {
		t.Errorf("the stalled client got %d %s, want 408 and a JSON error", resp.StatusCode, b)
	}
	if code, b := post(t, url+"/v2/models/m/infer", body); code != 200 {
		t.Fatalf("a good request after the slow ones: %d %s", code, b)
	}
}

// TestGracefulShutdown cancels the server while a request waits in the
// batcher: the request is answered, and new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	s := New(testModel(t), Options{Name: "m", MaxBatch: 8, MaxDelay: 500 * time.Millisecond})
	hs := HTTPServer("127.0.0.1:0", s.Handler(), 5*time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, hs, func() error { return hs.Serve(ln) }, s, 10*time.Second) }()
	url := "http://" + ln.Addr().String() + "/v2/models/m/infer"
	reply := make(chan int, 1)
	go func() {
		resp, err := http.Post(url, "application/json", bytes.NewReader(inferBody("input", randomInput(1, 1), 1)))
		if err != nil {
			reply <- -1
			return
		}
		resp.Body.Close()
		reply <- resp.StatusCode
	}()
	// Wait until the request is in the batcher, then stop the server.
	for deadline := time.Now().Add(5 * time.Second); ; {
		s.metrics.mu.Lock()
		n := s.metrics.inFlight
		s.metrics.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if code := <-reply; code != 200 {
		t.Errorf("the request in flight at shutdown got %d, want 200", code)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if _, err := http.Post(url, "application/json", bytes.NewReader(nil)); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
}

func TestClassify(t *testing.T) {
	_, ts := newTestServer(t, Options{Name: "m"})
	img := image.NewGray(image.Rect(0, 0, 56, 56))
	for i := range img.Pix {
		img.Pix[i] = 255 // white: inverted as a drawing on paper
	}
	for y := 10; y < 46; y++ {
		img.SetGray(28, y, color.Gray{})
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	code, b := post(t, ts.URL+"/v2/models/m/classify?top=2", buf.Bytes())
	var r struct {
		Inverted bool
		Top      []classScore
	}
	if err := json.Unmarshal(b, &r); err != nil || code != 200 || len(r.Top) != 2 || !r.Inverted || r.Top[0].Prob < r.Top[1].Prob {
		t.Errorf("classify: %d %s", code, b)
	}
	code, b = post(t, ts.URL+"/v2/models/m/classify", []byte("not an image"))
	if code != 400 || !strings.Contains(string(b), "cannot decode image") {
		t.Errorf("classify of junk: %d %s", code, b)
	}
	// A PNG header claiming a huge image is refused before decoding.
	big := image.NewGray(image.Rect(0, 0, 1, 1))
	buf.Reset()
	png.Encode(&buf, big)
	huge := buf.Bytes()
	copy(huge[16:24], []byte{0, 0, 0x40, 0, 0, 0, 0x40, 0}) // IHDR width and height 16384
	code, b = post(t, ts.URL+"/v2/models/m/classify", huge)
	if code != 400 || !strings.Contains(string(b), "error") {
		t.Errorf("classify of a huge image: %d %s", code, b)
	}
}

func TestMetrics(t *testing.T) {
	_, ts := newTestServer(t, Options{Name: "m", MaxBatch: 4})
	post(t, ts.URL+"/v2/models/m/infer", inferBody("input", randomInput(1, 1), 1))
	post(t, ts.URL+"/v2/models/m/infer", []byte("{"))
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`convnet_requests_total{code="200"} 1`,
		`convnet_requests_total{code="400"} 1`,
		`convnet_request_duration_seconds_count 2`,
		`convnet_batch_size_bucket{le="1"} 1`,
		`convnet_batch_size_bucket{le="4"} 1`,
		`convnet_batch_size_count 1`,
		`convnet_inflight_requests 1`,
		"# TYPE convnet_batch_size histogram",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q:\n%s", want, b)
		}
	}
}

// TestLoadONNX serves a model from an exported ONNX file under the names
// the file gives.
func TestLoadONNX(t *testing.T) {
	path := t.TempDir() + "/lenet.onnx"
	if err := onnx.SaveModel(path, testModel(t).Model); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.InputName != "input" || m.OutputName != "dense3" || NameFromPath(path) != "lenet" {
		t.Errorf("Load: input %q, output %q, name %q", m.InputName, m.OutputName, NameFromPath(path))
	}
}

// TestPolling: New applies Options.Polling to the engine, and by default
// turns the engine's polling off.
func TestPolling(t *testing.T) {
	defer kernel.SetSpinWait(kernel.SpinWait())
	kernel.SetSpinWait(kernel.DefaultSpinWait)
	m := testModel(t)
	New(m, Options{Name: "m"}).Close()
	if got := kernel.SpinWait(); got != 0 {
		t.Errorf("after New with default options, the engine polls for %v, want 0", got)
	}
	New(m, Options{Name: "m", Polling: time.Millisecond}).Close()
	if got := kernel.SpinWait(); got != time.Millisecond {
		t.Errorf("after New with Polling 1ms, the engine polls for %v", got)
	}
}

// Package loadtest drives an Open Inference Protocol (KServe v2) server
// with concurrent clients, each sending infer requests back to back, and
// reports throughput, latency percentiles and errors. It works against any
// server of the protocol: convnet serve, Triton or KServe.
package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/convnet/convnet/data"
)

// Config is one load test.
type Config struct {
	URL      string        // server base, e.g. http://127.0.0.1:8000
	Model    string        // model name
	Clients  int           // concurrent clients, each with one request in flight
	Duration time.Duration // how long to send
	Bodies   int           // distinct request bodies to cycle through; 64
}

// Result is what a load test measured.
type Result struct {
	Clients   int      `json:"clients"`
	Seconds   float64  `json:"seconds"`
	Requests  int      `json:"requests"`
	Errors    int      `json:"errors"`
	PerSecond float64  `json:"requests_per_s"`
	P50ms     float64  `json:"p50_ms"`
	P90ms     float64  `json:"p90_ms"`
	P99ms     float64  `json:"p99_ms"`
	MaxMs     float64  `json:"max_ms"`
	Samples   []string `json:"error_samples,omitempty"` // the first few errors
}

type metadata struct {
	Inputs []struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
	} `json:"inputs"`
}

// Bodies builds n infer bodies of one example each for the model the
// server describes at GET /v2/models/{name}: MNIST test digits when the
// input is 1×28×28 (scaled to [0, 1], as convnet trains), seeded random
// values otherwise.
func Bodies(client *http.Client, base, model string, n int) ([][]byte, error) {
	resp, err := client.Get(base + "/v2/models/" + model)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var md metadata
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil || resp.StatusCode != 200 || len(md.Inputs) != 1 {
		return nil, fmt.Errorf("GET /v2/models/%s: status %d, cannot read one input from the metadata", model, resp.StatusCode)
	}
	in := md.Inputs[0]
	shape := append([]int{1}, in.Shape[1:]...)
	size := 1
	for _, d := range shape[1:] {
		if d < 1 {
			return nil, fmt.Errorf("input %q has shape %v: only the batch may vary", in.Name, in.Shape)
		}
		size *= d
	}
	var mnist *data.Dataset
	if fmt.Sprint(shape) == "[1 1 28 28]" {
		if _, test, err := data.Open("mnist", data.Options{}); err == nil {
			mnist = test
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	bodies := make([][]byte, n)
	x := make([]float32, size)
	for i := range bodies {
		for j := range x {
			if mnist != nil {
				x[j] = float32(mnist.Pixels[i*size+j]) / 255
			} else {
				x[j] = r.Float32()
			}
		}
		bodies[i], _ = json.Marshal(map[string]any{"inputs": []map[string]any{{"name": in.Name, "shape": shape, "datatype": "FP32", "data": x}}})
	}
	return bodies, nil
}

// Run sends requests from cfg.Clients goroutines for cfg.Duration (or
// until ctx is done). A request counts as an error unless it gets a 200
// with a JSON body holding outputs.
//
// Each client holds one keep-alive HTTP/1.1 connection and writes its
// requests, prepared beforehand, straight to it, reading each reply with
// http.ReadResponse: the load generator shares the machine's cores with
// the server, and net/http's client Transport (two goroutines per
// connection and channel hand-offs per request) cost more CPU per request
// than the server under test, which capped what a test could measure.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Bodies <= 0 {
		cfg.Bodies = 64
	}
	client := &http.Client{Timeout: 30 * time.Second}
	bodies, err := Bodies(client, cfg.URL, cfg.Model, cfg.Bodies)
	if err != nil {
		return nil, err
	}
	target, err := url.Parse(cfg.URL)
	if err != nil || target.Scheme != "http" || target.Host == "" {
		return nil, fmt.Errorf("loadtest: %q is not an http:// URL", cfg.URL)
	}
	path := strings.TrimRight(target.Path, "/") + "/v2/models/" + cfg.Model + "/infer"
	requests := make([][]byte, len(bodies))
	for i, b := range bodies {
		requests[i] = append(fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			path, target.Host, len(b)), b...)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	res := &Result{Clients: cfg.Clients}
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var errs int
			var samples []string
			conn := &conn{addr: target.Host}
			defer conn.close()
			for i := c; ctx.Err() == nil; i += cfg.Clients {
				t0 := time.Now()
				err := conn.infer(requests[i%len(requests)])
				if ctx.Err() != nil && err != nil {
					break // cut off by the end of the test, not a server error
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					errs++
					if len(samples) < 3 {
						samples = append(samples, err.Error())
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.Errors += errs
			res.Samples = append(res.Samples, samples...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	res.Seconds = el.Seconds()
	res.Requests = len(lat)
	res.PerSecond = float64(len(lat)) / el.Seconds()
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	res.P50ms, res.P90ms, res.P99ms = pct(0.50), pct(0.90), pct(0.99)
	if len(lat) > 0 {
		res.MaxMs = float64(lat[len(lat)-1].Microseconds()) / 1000
	}
	if len(res.Samples) > 5 {
		res.Samples = res.Samples[:5]
	}
	return res, nil
}

// conn is one client's connection, dialled again after an error.
type conn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// infer sends one prepared request and reads its reply.
func (c *conn) infer(req []byte) error {
	if c.c == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 10*time.Second)
		if err != nil {
			return err
		}
		c.c, c.r = nc, bufio.NewReader(nc)
	}
	c.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.c.Write(req); err != nil {
		c.close()
		return err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"outputs"`)) {
		return fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(b[:min(len(b), 200)])))
	}
	return nil
}

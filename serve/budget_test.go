package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// waitFor polls cond until it holds; the test's own timeout bounds it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if t.Context().Err() != nil {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func (b *budget) waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.waiters)
}

func TestBudgetOrderAndRelease(t *testing.T) {
	b := newBudget(100)
	ctx := context.Background()
	if n, err := b.acquire(ctx, 60, -1); err != nil || n != 60 {
		t.Fatalf("acquire 60 of 100: %d %v", n, err)
	}
	if _, err := b.acquire(ctx, 50, -1); !errors.Is(err, errBusy) {
		t.Fatalf("acquire 50 more with no wait: %v, want errBusy", err)
	}
	// A big request waits first; a small one that would fit waits behind
	// it rather than passing it.
	big, small := make(chan error, 1), make(chan error, 1)
	go func() { _, err := b.acquire(ctx, 90, time.Hour); big <- err }()
	waitFor(t, "the big waiter", func() bool { return b.waiting() == 1 })
	go func() { _, err := b.acquire(ctx, 20, time.Hour); small <- err }()
	waitFor(t, "the small waiter", func() bool { return b.waiting() == 2 })
	if b.tryAcquire(1) {
		t.Fatal("tryAcquire passed the waiters")
	}
	b.release(60)
	if err := <-big; err != nil {
		t.Fatalf("big waiter: %v", err)
	}
	if used, _ := b.inUse(); used != 90 || b.waiting() != 1 {
		t.Fatalf("after the big waiter: %d used, %d waiting; want 90, 1", used, b.waiting())
	}
	b.release(90)
	if err := <-small; err != nil {
		t.Fatalf("small waiter: %v", err)
	}
	b.release(20)
	if used, peak := b.inUse(); used != 0 || peak != 90 {
		t.Fatalf("at the end %d used, peak %d; want 0, 90", used, peak)
	}
}

func TestBudgetGiveUp(t *testing.T) {
	b := newBudget(100)
	b.acquire(context.Background(), 100, -1)
	// A waiter whose client goes away leaves the queue.
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() { _, err := b.acquire(ctx, 10, time.Hour); gone <- err }()
	waitFor(t, "the waiter", func() bool { return b.waiting() == 1 })
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	// One that waits its time out gets errBusy.
	if _, err := b.acquire(context.Background(), 10, time.Microsecond); !errors.Is(err, errBusy) {
		t.Fatalf("timed-out waiter: %v", err)
	}
	if b.waiting() != 0 {
		t.Fatalf("%d waiters left in the queue", b.waiting())
	}
	b.release(100)
	// A request larger than the whole budget takes all of it and runs
	// alone; growing it further succeeds without reserving more.
	n, err := b.acquire(context.Background(), 500, -1)
	if err != nil || n != 100 {
		t.Fatalf("acquire over the limit: %d %v, want the whole 100", n, err)
	}
	r := &reservation{b: b, held: n}
	if !r.grow(1000) || r.held != 100 {
		t.Fatalf("grow of a whole-budget reservation: held %d", r.held)
	}
	r.done()
	if used, _ := b.inUse(); used != 0 {
		t.Fatalf("%d bytes still held", used)
	}
}

// pendingRequest is an infer request whose client has sent the headers
// and half its body and holds back the rest until finish.
type pendingRequest struct {
	conn net.Conn
	rest []byte
}

type reply struct {
	code  int
	retry string
	body  []byte
}

func sendPending(t *testing.T, addr, path string, body []byte) *pendingRequest {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, len(body))
	if _, err := conn.Write(body[:len(body)/2]); err != nil {
		t.Fatal(err)
	}
	return &pendingRequest{conn: conn, rest: body[len(body)/2:]}
}

// finish sends the rest of the body and reads the reply.
func (p *pendingRequest) finish() (reply, error) {
	if _, err := p.conn.Write(p.rest); err != nil {
		return reply{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(p.conn), nil)
	if err != nil {
		return reply{}, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return reply{code: resp.StatusCode, retry: resp.Header.Get("Retry-After"), body: b}, err
}

// TestInflightBudget sends many large bodies at once, each under the
// per-request cap: the server holds no more than its in-flight budget,
// refuses the requests past it with 503 and a JSON error (no waiting
// here), answers the ones it took, and serves on afterwards.
func TestInflightBudget(t *testing.T) {
	const examples = 20
	big := inferBody("input", randomInput(3, examples), examples) // about 170 KB
	s0 := New(testModel(t), Options{Name: "m"})
	each := s0.inferBytes(int64(len(big)))
	s0.Close()
	const room = 3 // requests of this size the budget takes at once
	s, ts := newTestServer(t, Options{Name: "m", MaxBody: int64(len(big)) + 100, MaxInflight: room*each + each/2, InflightWait: -1})
	url := ts.URL + "/v2/models/m/infer"
	addr, path := ts.Listener.Addr().String(), "/v2/models/m/infer"

	var held []*pendingRequest
	for range room {
		held = append(held, sendPending(t, addr, path, big))
	}
	waitFor(t, "the first requests to reserve their bytes", func() bool { used, _ := s.budget.inUse(); return used == room*each })

	// Many more large bodies now: none fits.
	var more []*pendingRequest
	for range 16 {
		more = append(more, sendPending(t, addr, path, big))
	}
	for _, p := range more {
		r, err := p.finish()
		if err != nil {
			t.Fatal(err)
		}
		var e errorBody
		if r.code != http.StatusServiceUnavailable || r.retry == "" || json.Unmarshal(r.body, &e) != nil || !strings.Contains(e.Error, "busy") {
			t.Fatalf("a request past the budget got %d (Retry-After %q) %s; want 503 with a JSON error", r.code, r.retry, r.body)
		}
	}
	for _, p := range held {
		if r, err := p.finish(); err != nil || r.code != 200 {
			t.Fatalf("a request within the budget got %d %s (%v)", r.code, r.body, err)
		}
	}
	waitFor(t, "the budget to empty", func() bool { used, _ := s.budget.inUse(); return used == 0 })
	if _, peak := s.budget.inUse(); peak > s.opts.MaxInflight {
		t.Fatalf("peak %d bytes reserved, over the %d limit", peak, s.opts.MaxInflight)
	}
	if code, b := post(t, url, big); code != 200 {
		t.Fatalf("after the burst: %d %s", code, b)
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "convnet_inflight_bytes 0\n") || !strings.Contains(string(b), fmt.Sprintf("convnet_inflight_bytes_limit %d\n", s.opts.MaxInflight)) {
		t.Fatalf("metrics: %s", b)
	}
}

// TestInflightBudgetWaits: a request that finds the budget full waits for
// room, and is served once a request ahead of it finishes.
func TestInflightBudgetWaits(t *testing.T) {
	body := inferBody("input", randomInput(4, 2), 2)
	s0 := New(testModel(t), Options{Name: "m"})
	each := s0.inferBytes(int64(len(body)))
	s0.Close()
	s, ts := newTestServer(t, Options{Name: "m", MaxBody: int64(len(body)), MaxInflight: each, InflightWait: time.Hour})
	url := ts.URL + "/v2/models/m/infer"
	first := sendPending(t, ts.Listener.Addr().String(), "/v2/models/m/infer", body)
	waitFor(t, "the first request to reserve", func() bool { used, _ := s.budget.inUse(); return used == each })
	second := make(chan int, 1)
	go func() { code, _ := post(t, url, body); second <- code }()
	waitFor(t, "the second request to queue", func() bool { return s.budget.waiting() == 1 })
	if r, err := first.finish(); err != nil || r.code != 200 {
		t.Fatalf("first: %d %s (%v)", r.code, r.body, err)
	}
	if code := <-second; code != 200 {
		t.Fatalf("second, after waiting: %d", code)
	}
}

// TestClassifyBudget: an uploaded image reserves what decoding it takes,
// read from its header; with the budget partly held, a small file of many
// pixels is refused with 503 before it is decoded, a small image is served.
func TestClassifyBudget(t *testing.T) {
	body := inferBody("input", randomInput(6, 1), 1)
	s0 := New(testModel(t), Options{Name: "m"})
	each := s0.inferBytes(int64(len(body)))
	s0.Close()
	s, ts := newTestServer(t, Options{Name: "m", MaxInflight: each + 200<<10, InflightWait: -1})
	held := sendPending(t, ts.Listener.Addr().String(), "/v2/models/m/infer", body)
	waitFor(t, "the infer request to reserve", func() bool { used, _ := s.budget.inUse(); return used == each })

	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1000, 1000))) // 9 MB to decode, a few KB to send
	code, b := post(t, ts.URL+"/v2/models/m/classify", buf.Bytes())
	var e errorBody
	if code != http.StatusServiceUnavailable || json.Unmarshal(b, &e) != nil || e.Error == "" {
		t.Errorf("classify of a large image past the budget: %d %s, want 503 and a JSON error", code, b)
	}
	buf.Reset()
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 28, 28)))
	if code, b := post(t, ts.URL+"/v2/models/m/classify", buf.Bytes()); code != 200 {
		t.Errorf("classify of a small image within the budget: %d %s", code, b)
	}
	if r, err := held.finish(); err != nil || r.code != 200 {
		t.Fatalf("the infer request: %d %s (%v)", r.code, r.body, err)
	}
	waitFor(t, "the budget to empty", func() bool { used, _ := s.budget.inUse(); return used == 0 })
}

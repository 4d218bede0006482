package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/serve"
)

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "--model PATH [--addr HOST:PORT] [flags]",
		"Serves a model over HTTP with the Open Inference Protocol (KServe v2 REST), as Triton and KServe do:\n"+
			"GET /v2/health/live, /v2/health/ready, /v2/models/NAME, /v2/models/NAME/ready; POST /v2/models/NAME/infer\n"+
			"with JSON tensors; POST /v2/models/NAME/classify with a PNG or JPEG body for the top classes; GET /metrics\n"+
			"(Prometheus). Concurrent requests are batched. SIGINT or SIGTERM stops it after the requests in flight.", stdout)
	model := fs.String("model", "model.onnx", "saved model (ONNX or a native checkpoint)")
	addr := fs.String("addr", "127.0.0.1:8000", "address to listen on")
	name := fs.String("name", "", "model name in the URLs (default: the file name without its extension)")
	maxBatch := fs.Int("max-batch", serve.DefaultMaxBatch, "examples per forward pass, at most (1: no batching)")
	maxDelay := fs.Duration("max-delay", serve.DefaultMaxDelay, "how long a request waits for others to batch with")
	maxBody := fs.Int64("max-body", serve.DefaultMaxBody, "request body cap in bytes")
	maxInflight := fs.Int64("max-inflight-bytes", 0, fmt.Sprintf("cap on the bytes all requests in flight hold at once (bodies, decoded tensors, replies); past it requests wait --inflight-wait, then get 503 (default %d × --max-body)", serve.DefaultInflightFactor))
	inflightWait := fs.Duration("inflight-wait", serve.DefaultInflightWait, "how long a request waits for room under --max-inflight-bytes before a 503 (0: no wait)")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "time a client has to send its whole request")
	grace := fs.Duration("grace", 30*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run, until SIGINT/SIGTERM, to this file (go tool pprof reads it)")
	spinWait := fs.Duration("spin-wait", 0, fmt.Sprintf("how long the engine's idle threads poll for work before they sleep (0: at once, which leaves the cores to other requests; training and bench poll %s)", kernel.DefaultSpinWait))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if *maxBatch < 1 || *maxBody < 1 || *maxDelay < 0 || *readTimeout <= 0 || *maxInflight < 0 || *inflightWait < 0 || *spinWait < 0 {
		return usageError{"--max-batch, --max-body and --read-timeout must be positive, --max-delay, --max-inflight-bytes, --inflight-wait and --spin-wait 0 or more"}
	}
	m, err := serve.Load(*model)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = serve.NameFromPath(*model)
	}
	delay := *maxDelay
	if delay == 0 {
		delay = -1 // serve.Options: negative is no delay
	}
	wait := *inflightWait
	if wait == 0 {
		wait = -1 // serve.Options: negative is no wait
	}
	s := serve.New(m, serve.Options{Name: *name, MaxBatch: *maxBatch, MaxDelay: delay, MaxBody: *maxBody,
		MaxInflight: *maxInflight, InflightWait: wait, Polling: *spinWait})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		s.Close()
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			s.Close()
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			s.Close()
			return err
		}
		defer pprof.StopCPUProfile()
	}
	hs := serve.HTTPServer(*addr, s.Handler(), *readTimeout)
	fmt.Fprintf(stdout, "serving %s as %q on http://%s (input %q, output %q, max batch %d, max delay %s)\n",
		*model, *name, ln.Addr(), m.InputName, m.OutputName, *maxBatch, *maxDelay)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = serve.Run(ctx, hs, func() error { return hs.Serve(ln) }, s, *grace)
	fmt.Fprintln(stdout, "stopped")
	return err
}

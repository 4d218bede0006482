// Command loadgen load-tests an Open Inference Protocol (KServe v2)
// server, convnet serve or any other: CLIENTS goroutines send infer
// requests back to back for DURATION, and it prints one JSON line with
// the throughput, latency percentiles, errors and, given --pid, the
// server's peak resident memory (VmHWM from /proc/PID/status).
//
//	convnet serve --model lenet.onnx &
//	go run ./cmd/loadgen --url http://127.0.0.1:8000 --model lenet --clients 64 --duration 30s --pid $!
//
// It exits with status 1 if any request failed.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/convnet/convnet/serve/loadtest"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8000", "server base URL")
	model := flag.String("model", "model", "model name")
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 30*time.Second, "how long to send")
	pid := flag.Int("pid", 0, "server process id, to report its peak memory (Linux)")
	label := flag.String("label", "", "a label copied into the output line")
	flag.Parse()
	res, err := loadtest.Run(context.Background(), loadtest.Config{URL: strings.TrimRight(*url, "/"), Model: *model, Clients: *clients, Duration: *duration})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	out := struct {
		Label string `json:"label,omitempty"`
		*loadtest.Result
		PeakRSSMiB float64 `json:"server_peak_rss_mib,omitempty"`
		RSSMiB     float64 `json:"server_rss_mib,omitempty"`
	}{Label: *label, Result: res}
	if *pid > 0 {
		out.PeakRSSMiB, out.RSSMiB = memory(*pid)
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	if res.Errors > 0 {
		os.Exit(1)
	}
}

// memory reads VmHWM (peak resident set) and VmRSS from /proc/PID/status,
// in MiB.
func memory(pid int) (peak, now float64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb float64
		if _, err := fmt.Sscanf(sc.Text(), "VmHWM: %f kB", &kb); err == nil {
			peak = kb / 1024
		}
		if _, err := fmt.Sscanf(sc.Text(), "VmRSS: %f kB", &kb); err == nil {
			now = kb / 1024
		}
	}
	return peak, now
}

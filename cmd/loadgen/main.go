// Command loadgen load-tests an Open Inference Protocol (KServe v2)
// server, convnet serve or any other: CLIENTS goroutines send infer
// requests back to back for DURATION, and it prints one JSON line with
// the throughput, latency percentiles, errors, its own CPU time and,
// given --pid, the server's peak resident memory (VmHWM from
// /proc/PID/status) and the CPU time the server used during the test
// (from /proc/PID/stat): on one machine the two share the cores, and the
// server's CPU time per request is the figure that the load generator's
// own cost does not blur.
//
//	convnet serve --model lenet.onnx &
//	go run ./cmd/loadgen --url http://127.0.0.1:8000 --model lenet --clients 64 --duration 30s --pid $!
//
// It exits with status 1 if any request failed.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
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
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the load generator to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(2)
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	server0 := cpuSeconds(*pid)
	self0 := selfCPU()
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
		ServerCPU  float64 `json:"server_cpu_s,omitempty"`
		ServerUs   float64 `json:"server_cpu_us_per_request,omitempty"`
		LoadgenCPU float64 `json:"loadgen_cpu_s"`
	}{Label: *label, Result: res, LoadgenCPU: selfCPU() - self0}
	if *pid > 0 {
		out.PeakRSSMiB, out.RSSMiB = memory(*pid)
		out.ServerCPU = cpuSeconds(*pid) - server0
		if res.Requests > 0 {
			out.ServerUs = out.ServerCPU / float64(res.Requests) * 1e6
		}
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	if res.Errors > 0 {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// cpuSeconds reads the user and system CPU time of process pid from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func cpuSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}

// selfCPU is this process's user and system CPU time in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
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

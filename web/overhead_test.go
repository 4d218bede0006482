//go:build unix

package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/cputime"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/train"
)

// page acts as an open dashboard page: it loads the page and its state,
// reads the event stream, and fetches the maps of its test image on every
// new snapshot and the evaluation on every epoch-end snapshot, as app.js
// does.
func page(ctx context.Context, base string, image int) {
	get := func(path string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	for _, p := range []string{"/", "/assets/app.js", "/assets/style.css", "/api/state", fmt.Sprintf("/api/maps?image=%d", image)} {
		get(p)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var u update
		if json.Unmarshal([]byte(line), &u) != nil {
			continue
		}
		if u.Version != 0 {
			get(fmt.Sprintf("/api/maps?image=%d", image))
		}
		if u.Eval != 0 {
			get("/api/eval")
		}
	}
}

// TestDashboardOverhead measures training speed (images/s over the
// training steps of an epoch, as train reports it) with no page open and
// with 10, alternating, and logs the medians and their ratio. It is a
// measurement, not a check: it runs only when CONVNET_DASHBOARD_OVERHEAD
// is set, e.g.
//
//	CONVNET_DASHBOARD_OVERHEAD=1 go test -run Overhead -v ./web/
func TestDashboardOverhead(t *testing.T) {
	if os.Getenv("CONVNET_DASHBOARD_OVERHEAD") == "" {
		t.Skip("a measurement: set CONVNET_DASHBOARD_OVERHEAD=1 to run it")
	}
	trainSet, testSet, err := data.Open("mnist", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const rounds, pages = 8, 10
	speed := map[int][]float64{}
	cpuPerImage := map[int][]float64{} // CPU seconds of the whole process per training image, in µs
	for r := range rounds {
		for _, n := range []int{0, pages} {
			m, err := nn.NewModel("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)",
				[]int{1, 28, 28}, trainSet.Classes, nn.SpecOptions{})
			if err != nil {
				t.Fatal(err)
			}
			m.Graph.Init(1)
			hub := NewHub(m, 1)
			srv, err := New(hub, m, testSet, Options{Title: "overhead"})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					page(ctx, ts.URL, i) // a different image each: no page shares another's cached maps
				}()
			}
			hub.Snapshot(0, 0, true, false)
			var steps int
			var cpuAtLastStep float64
			cfg := train.Config{Epochs: 1, Batch: 64, HealthSample: -1,
				OnStep: func(s train.StepInfo) { steps = s.Step; cpuAtLastStep = cputime.Seconds() }}
			hub.Attach(&cfg)
			cpu0 := cputime.Seconds()
			res, err := train.Run(m, trainSet, testSet.Subset(2000), cfg)
			cancel()
			ts.CloseClientConnections()
			wg.Wait()
			ts.Close()
			if err != nil {
				t.Fatal(err)
			}
			ips := res.Epochs[0].ImgPerSec
			speed[n] = append(speed[n], ips)
			v, _ := hub.snapshotVersion()
			cpu := (cpuAtLastStep - cpu0) * 1e6 / float64(steps*64)
			cpuPerImage[n] = append(cpuPerImage[n], cpu)
			t.Logf("round %d, %2d pages: %.0f images/s, %.1f µs of CPU per image (%d snapshots)", r+1, n, ips, cpu, v)
		}
	}
	median := func(v []float64) float64 {
		s := slices.Clone(v)
		slices.Sort(s)
		return s[len(s)/2]
	}
	// Other jobs on the machine make the speed drift; each round's ratio
	// compares two runs next to each other in time.
	var ratios []float64
	for r := range rounds {
		ratios = append(ratios, speed[pages][r]/speed[0][r])
	}
	m0, m10 := median(speed[0]), median(speed[pages])
	t.Logf("median over %d rounds: %.0f images/s with no page, %.0f with %d pages (ratio of medians %.3f); median of the rounds' ratios %.3f",
		rounds, m0, m10, pages, m10/m0, median(ratios))
	c0, c10 := median(cpuPerImage[0]), median(cpuPerImage[pages])
	t.Logf("CPU per training image (the process's user+system time over the steps): %.2f µs with no page, %.2f with %d pages: %+.1f%%",
		c0, c10, pages, 100*(c10-c0)/c0)
}

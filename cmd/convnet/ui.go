package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/train"
	"github.com/convnet/convnet/web"
)

// defaultUIAddr is where the dashboard listens unless told otherwise:
// loopback only, so that nothing outside the machine sees it.
const defaultUIAddr = "127.0.0.1:8080"

// uiFlag is --ui: alone it turns the dashboard on at defaultUIAddr,
// --ui=ADDR chooses the address. It is a boolean flag to package flag
// (IsBoolFlag), which is what lets it stand alone.
type uiFlag struct {
	on   bool
	addr string
}

func (f *uiFlag) String() string {
	if f == nil || !f.on {
		return ""
	}
	return f.addr
}

func (f *uiFlag) Set(v string) error {
	switch v {
	case "true":
		f.on, f.addr = true, defaultUIAddr
	case "false":
		f.on = false
	default:
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("want HOST:PORT, such as %s", defaultUIAddr)
		}
		f.on, f.addr = true, v
	}
	return nil
}

func (f *uiFlag) IsBoolFlag() bool { return true }

// joinUIAddr rewrites "--ui ADDR" as "--ui=ADDR" when the word after --ui
// is an address (HOST:PORT), so that the spelling works although
// --ui may also stand alone.
func joinUIAddr(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "--ui" || a == "-ui") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			if _, _, err := net.SplitHostPort(args[i+1]); err == nil {
				out = append(out, a+"="+args[i+1])
				i++
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// dashboard is a running dashboard server.
type dashboard struct {
	hub *web.Hub
	srv *http.Server
	url string
}

// startDashboard listens on addr and serves the dashboard for m and its
// test set from hub, printing the address to stdout.
func startDashboard(addr string, hub *web.Hub, m *nn.Model, test *data.Dataset, title string, stdout io.Writer) (*dashboard, error) {
	h, err := web.New(hub, m, test, web.Options{Title: title})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w (choose another address with --ui=HOST:PORT)", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(stdout, "dashboard: %s\n", url)
	if host, _, _ := net.SplitHostPort(addr); host == "" || !isLoopback(host) {
		fmt.Fprintf(stdout, "dashboard: listening on %s, reachable from other machines; it has no authentication\n", addr)
	}
	return &dashboard{hub: hub, srv: srv, url: url}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// startTrainingUI makes the dashboard of a run about to train m, and
// hooks it into cfg.
func startTrainingUI(addr string, m *nn.Model, test *data.Dataset, cfg *train.Config, title string, stdout io.Writer) (*dashboard, error) {
	hub := web.NewHub(m, cfg.Epochs)
	d, err := startDashboard(addr, hub, m, test, title, stdout)
	if err != nil {
		return nil, err
	}
	hub.Snapshot(0, 0, true, false) // the initial weights
	hub.Attach(cfg)
	return d, nil
}

// finish marks the run as ended and keeps serving until Ctrl-C, so the
// last state stays in view.
func (d *dashboard) finish(runErr error, stdout io.Writer) {
	d.hub.Finish(runErr)
	fmt.Fprintf(stdout, "training ended; the dashboard stays up at %s until you press Ctrl-C\n", d.url)
	d.serveUntilInterrupt()
}

func (d *dashboard) serveUntilInterrupt() {
	waitForInterrupt()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	d.srv.Shutdown(ctx) // event streams do not end by themselves: cut them after a second
	d.srv.Close()
}

// waitForInterrupt blocks until Ctrl-C (SIGINT); tests replace it.
var waitForInterrupt = func() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
}

func runUI(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ui", "--model PATH [--addr HOST:PORT] [--data DATA]",
		"Serves the dashboard for a trained model: the activation maps of every layer for any test image, the\n"+
			"filters, the confusion matrix and the test images it gets most wrong, and a canvas to draw on with the\n"+
			"prediction, maps and saliency of the drawing. The curves and layer health of the run that made the\n"+
			"model come from its metrics file when there is one. It listens on loopback unless --addr says otherwise\n"+
			"and runs until Ctrl-C. For a dashboard while training, see convnet train --ui.", stdout)
	model := fs.String("model", "model.onnx", "saved model (ONNX or a native checkpoint)")
	addr := fs.String("addr", defaultUIAddr, "address to listen on, HOST:PORT (0.0.0.0:PORT or :PORT for every interface)")
	dataSpec := fs.String("data", "mnist", "test images: "+data.Specs)
	metrics := fs.String("metrics", "", "the training run's JSONL metrics, for its curves and layer health (default: MODEL with .metrics.jsonl, if it exists; \"none\" for none)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usageError{fmt.Sprintf("--addr %q: want HOST:PORT, such as %s", *addr, defaultUIAddr)}
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	if len(m.Input) != 3 {
		return fmt.Errorf("%s does not take images (its input is %v)", *model, m.Input)
	}
	_, test, err := data.Open(*dataSpec, data.Options{C: m.Input[0], H: m.Input[1], W: m.Input[2]})
	if err != nil {
		return err
	}
	if len(test.Classes) != len(m.Classes) {
		return fmt.Errorf("the model has %d classes, the data %s has %d: choose the data it was trained on with --data", len(m.Classes), *dataSpec, len(test.Classes))
	}
	hub := web.NewHub(nil, 0)
	explicit := *metrics != ""
	if !explicit {
		*metrics = strings.TrimSuffix(*model, filepath.Ext(*model)) + ".metrics.jsonl"
	}
	if *metrics != "none" {
		if err := loadHistory(hub, *metrics); err != nil && (explicit || !errors.Is(err, os.ErrNotExist)) {
			return err
		}
	}
	d, err := startDashboard(*addr, hub, m, test, *model, stdout)
	if err != nil {
		return err
	}
	d.serveUntilInterrupt()
	return nil
}

// loadHistory gives hub the curves and health of a metrics file.
func loadHistory(hub *web.Hub, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	steps, epochs, health, err := web.ReadMetrics(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	hub.LoadHistory(steps, epochs, health)
	return nil
}

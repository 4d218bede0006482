package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/train"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// browser starts headless chromium for a test, or skips the test without
// it. The flags keep chromium off the network (no Google services, no
// updates) and let it run as root in a container.
func browser(t *testing.T) (context.Context, context.CancelFunc) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser tests need %s (apt-get install chromium): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	return ctx, func() { cancelTimeout(); cancelCtx(); cancelAlloc() }
}

// consoleErrors collects what the page reports as errors: console.error,
// uncaught exceptions and failed loads (the browser log's errors).
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func (c *consoleErrors) listen(ctx context.Context) {
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				c.mu.Lock()
				c.msgs = append(c.msgs, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				c.mu.Unlock()
			}
		}
	}()
}

func (c *consoleErrors) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// artefactDir is where browser tests save screenshots: $CONVNET_ARTIFACTS
// when set, else the test's temporary folder.
func artefactDir(t *testing.T) string {
	if d := os.Getenv("CONVNET_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// evalInt evaluates a JS expression whose value is a number.
func evalInt(ctx context.Context, js string) (int, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[int](js))
}

// waitFor polls a JS condition until it holds.
func waitFor(ctx context.Context, what, js string) error {
	return waitForWithin(ctx, what, js, 2*time.Minute)
}

// waitForWithin is waitFor with a timeout of d.
func waitForWithin(ctx context.Context, what, js string, d time.Duration) error {
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(d))); err != nil {
		return fmt.Errorf("waiting for %s: %w", what, err)
	}
	return nil
}

// drawStroke scrolls the drawing canvas into view and drags the mouse
// down it, as a user draws a 1, and returns the canvas's top-left corner
// before and after the stroke.
func drawStroke(ctx context.Context) (before, after []float64, err error) {
	corner := func(scroll bool) ([]float64, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => { const c = document.getElementById('draw-canvas');
			if (%v) c.scrollIntoView({block: 'center'});
			const r = c.getBoundingClientRect(); return [r.left, r.top]; })()`, scroll)))
	}
	if before, err = corner(true); err != nil {
		return nil, nil, err
	}
	x0, y0 := before[0], before[1]
	held := func(p *input.DispatchMouseEventParams) { p.Buttons, p.ClickCount = 1, 1 }
	stroke := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0+140, y0+50, chromedp.ButtonLeft, held)}
	for y := 60.0; y <= 230; y += 10 {
		stroke = append(stroke, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0+140+(y-50)/30, y0+y, chromedp.ButtonLeft, held))
	}
	stroke = append(stroke, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x0+146, y0+230, chromedp.ButtonLeft,
		func(p *input.DispatchMouseEventParams) { p.ClickCount = 1 }))
	if err := chromedp.Do(ctx, stroke...); err != nil {
		return nil, nil, err
	}
	after, err = corner(false)
	return before, after, err
}

// TestDashboardInBrowser opens the dashboard in headless chromium while
// LeNet-5 trains on MNIST: the page loads with no console errors, the loss
// curve gains points, every layer's grid has a tile per channel, a stroke
// drawn on the canvas gets a prediction, and a screenshot is saved.
func TestDashboardInBrowser(t *testing.T) {
	ctx, closeBrowser := browser(t)
	defer closeBrowser()
	trainSet, testSet, err := data.Open("mnist", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trainSet = trainSet.Subset(3000)
	m, err := nn.NewModel("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)",
		[]int{1, 28, 28}, trainSet.Classes, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(1)
	const epochs = 3
	hub := NewHub(m, epochs)
	hub.Every = 300 * time.Millisecond
	srv, err := New(hub, m, testSet, Options{Title: "LeNet-5 on MNIST (3,000 training images)"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer closeBrowser() // first: its event stream would hold ts.Close
	hub.Snapshot(0, 0, true, false)

	var errs consoleErrors
	if err := chromedp.Do(ctx); err != nil { // start the browser, so that its console can be read from the first message
		t.Fatal(err)
	}
	errs.listen(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL)); err != nil {
		t.Fatal(err)
	}
	// Every map layer's grid has one tile per channel.
	if err := waitFor(ctx, "the activation maps", `document.querySelectorAll('#maps .tiles[data-layer="conv2"] canvas').length > 0`); err != nil {
		t.Fatal(err)
	}
	for layer, want := range map[string]int{"conv1": 6, "relu1": 6, "maxpool1": 6, "conv2": 16, "relu2": 16, "maxpool2": 16} {
		n, err := evalInt(ctx, fmt.Sprintf(`document.querySelectorAll('#maps .tiles[data-layer=%q] canvas').length`, layer))
		if err != nil || n != want {
			t.Errorf("%s: %d tiles, want %d (%v)", layer, n, want, err)
		}
	}
	if n, _ := evalInt(ctx, `document.querySelectorAll('#maps .layer[data-layer="conv1"] .filters canvas').length`); n != 6 {
		t.Errorf("conv1: %d filter tiles, want 6", n)
	}

	// A click on a map enlarges it with its value scale.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#maps .tiles[data-layer="conv1"] canvas').click()`)); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, "the enlarged map", `!document.getElementById('zoom').hidden && document.getElementById('zoom-max').textContent !== ''`); err != nil {
		t.Error(err)
	}
	chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('zoom-close').click()`))

	// Train; the curve gains points while it runs. The run pauses at
	// steps 20 and 60 so that the page is looked at mid-run, however fast
	// the machine.
	pauses := []int{20, 60}
	resume := map[int]chan struct{}{}
	for _, s := range pauses {
		resume[s] = make(chan struct{})
	}
	reached := make(chan int, len(pauses))
	resumed := map[int]bool{} // on this goroutine only; resume is read by the run's
	goOn := func(step int) {
		if !resumed[step] {
			close(resume[step])
			resumed[step] = true
		}
	}
	defer func() { // never leave the run waiting
		for _, s := range pauses {
			goOn(s)
		}
	}()
	cfg := train.Config{Epochs: epochs, Batch: 64, HealthSample: 256, OnStep: func(s train.StepInfo) {
		for _, p := range pauses {
			if s.Step == p {
				reached <- p
				<-resume[p]
			}
		}
	}}
	hub.Attach(&cfg)
	done := make(chan error, 1)
	go func() {
		_, err := train.Run(m, trainSet, testSet, cfg)
		hub.Finish(err)
		done <- err
	}()
	<-reached
	if err := waitFor(ctx, "the first points of the loss curve", `+document.getElementById('loss-chart').dataset.points > 0`); err != nil {
		t.Fatal(err)
	}
	first, _ := evalInt(ctx, `+document.getElementById('loss-chart').dataset.points`)
	goOn(20)
	<-reached
	if err := waitFor(ctx, "more points", fmt.Sprintf(`+document.getElementById('loss-chart').dataset.points > %d`, first)); err != nil {
		t.Fatal(err)
	}
	goOn(60)

	// Draw a stroke: a prediction comes back, with maps for it. The page
	// above the canvas can still grow while the stroke is drawn (an epoch's
	// evaluation fills the confusion matrix and the most-wrong images),
	// which moves the canvas from under the pointer; then the stroke is
	// drawn again where the canvas now is.
	for attempt := 1; ; attempt++ {
		before, after, err := drawStroke(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = waitForWithin(ctx, "a prediction of the drawing", `document.getElementById('draw-top').dataset.class !== undefined`, 20*time.Second)
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("%v (the canvas was at %v before the last stroke and at %v after it)", err, before, after)
		}
		t.Logf("no prediction after stroke %d (the canvas was at %v before it and at %v after it); drawing again", attempt, before, after)
	}
	pred, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('draw-top').textContent`))
	t.Logf("the drawn stroke is predicted %q", pred)
	if n, _ := evalInt(ctx, `document.querySelectorAll('#draw-maps .tiles[data-layer="conv1"] canvas').length`); n != 6 {
		t.Errorf("maps of the drawing: %d conv1 tiles, want 6", n)
	}

	// After training: health, confusion and the most-wrong images show.
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for what, js := range map[string]string{
		"the run's end":         `document.getElementById('status').textContent.startsWith('done')`,
		"the confusion matrix":  `document.querySelectorAll('#confusion-table tr').length === 11`,
		"the health table":      `document.querySelectorAll('#health-table tr').length > 3`,
		"the most-wrong images": `document.querySelectorAll('#wrong img').length > 0`,
		"the test accuracy dot": `+document.getElementById('acc-chart').dataset.points > 3`,
	} {
		if err := waitFor(ctx, what, js); err != nil {
			t.Error(err)
		}
	}
	// Show the drawing's answer and the first test image's maps in the picture.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artefactDir(t), "dashboard.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
	for _, e := range errs.get() {
		t.Errorf("page error: %s", e)
	}
}

// TestTrainedModelInBrowser opens the dashboard of a model no run feeds,
// as convnet ui serves it, with the history of its metrics: the page shows
// the curves, the maps, the confusion matrix at once, with no errors.
func TestTrainedModelInBrowser(t *testing.T) {
	ctx, closeBrowser := browser(t)
	defer closeBrowser()
	m := tinyModel(t)
	hub := NewHub(nil, 0)
	var steps []train.StepInfo
	for s := 1; s <= 50; s++ {
		steps = append(steps, train.StepInfo{Type: "step", Epoch: 1 + (s-1)/25, Step: s, Loss: 2.3 / float64(s), Acc: float64(s) / 50})
	}
	hub.LoadHistory(steps, []train.EpochInfo{{Epoch: 1, Step: 25, TrainLoss: 1, TrainAcc: 0.5, TestLoss: 1.2, TestAcc: 0.4},
		{Epoch: 2, Step: 50, TrainLoss: 0.5, TrainAcc: 0.8, TestLoss: 0.7, TestAcc: 0.7}}, nil)
	srv, err := New(hub, m, tinyData(100, 3), Options{Title: "tiny.onnx"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer closeBrowser()
	var errs consoleErrors
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	errs.listen(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL)); err != nil {
		t.Fatal(err)
	}
	for what, js := range map[string]string{
		"the status":           `document.getElementById('status').textContent.startsWith('trained model')`,
		"the loss curve":       `+document.getElementById('loss-chart').dataset.points >= 50`,
		"the conv1 tiles":      `document.querySelectorAll('#maps .tiles[data-layer="conv1"] canvas').length === 4`,
		"the confusion matrix": `document.querySelectorAll('#confusion-table tr').length === 11`,
	} {
		if err := waitFor(ctx, what, js); err != nil {
			t.Error(err)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('image-next').click()`)); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, "the next test image", `document.querySelector('#maps .note').textContent.startsWith('test image 1,')`); err != nil {
		t.Error(err)
	}
	for _, e := range errs.get() {
		t.Errorf("page error: %s", e)
	}
}

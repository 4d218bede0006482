package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestJoinUIAddr(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"--ui", "--ui"},
		{"--ui --epochs 2", "--ui --epochs 2"},
		{"--ui 127.0.0.1:9000 --epochs 2", "--ui=127.0.0.1:9000 --epochs 2"},
		{"-ui :9000", "-ui=:9000"},
		{"--ui=localhost:1", "--ui=localhost:1"},
		{"--ui model.onnx", "--ui model.onnx"},
	} {
		if got := strings.Join(joinUIAddr(strings.Fields(c.in)), " "); got != c.want {
			t.Errorf("joinUIAddr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestUIFlag(t *testing.T) {
	var f uiFlag
	if err := f.Set("true"); err != nil || !f.on || f.addr != defaultUIAddr {
		t.Errorf("--ui: %+v %v", f, err)
	}
	if err := f.Set("0.0.0.0:9000"); err != nil || f.addr != "0.0.0.0:9000" {
		t.Errorf("--ui=ADDR: %+v %v", f, err)
	}
	if err := f.Set("nonsense"); err == nil {
		t.Error("--ui=nonsense was taken")
	}
	code, _, errOut := cli(t, "train", "--ui=nonsense")
	if code != 2 || !strings.Contains(errOut, "HOST:PORT") {
		t.Errorf("train --ui=nonsense: exit %d, %q", code, errOut)
	}
	code, _, errOut = cli(t, "ui", "--addr", "nonsense")
	if code != 2 || !strings.Contains(errOut, "HOST:PORT") {
		t.Errorf("ui --addr nonsense: exit %d, %q", code, errOut)
	}
	code, out, _ := cli(t, "train", "--help")
	if code != 0 || !strings.Contains(out, "-ui") || !strings.Contains(out, defaultUIAddr) {
		t.Errorf("train --help does not document --ui:\n%s", out)
	}
}

var dashboardURL = regexp.MustCompile(`dashboard: (http://\S+)`)

// whileServing runs the command in-process; once it serves, check gets the
// dashboard's address (printed to stdout) in place of waiting for Ctrl-C.
func whileServing(t *testing.T, check func(url string), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	served := false
	prev := waitForInterrupt
	waitForInterrupt = func() { // runs on run's goroutine: reading o is safe
		served = true
		m := dashboardURL.FindStringSubmatch(o.String())
		if m == nil {
			t.Errorf("no dashboard address printed:\n%s", o.String())
			return
		}
		check(m[1])
	}
	defer func() { waitForInterrupt = prev }()
	code = run(args, &o, &e)
	if !served {
		t.Errorf("%v: the dashboard was not served", args)
	}
	return code, o.String(), e.String()
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: status %d: %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// dashState is the part of /api/state the tests read.
type dashState struct {
	Model struct {
		Title   string   `json:"title"`
		Classes []string `json:"classes"`
	} `json:"model"`
	Points []struct {
		Step int `json:"s"`
	} `json:"points"`
	Epochs []struct {
		Epoch int `json:"epoch"`
	} `json:"epochs"`
	Status struct {
		Training bool `json:"training"`
		Done     bool `json:"done"`
	} `json:"status"`
}

func TestTrainWithUI(t *testing.T) {
	out := t.TempDir() + "/m.onnx"
	code, stdout, stderr := whileServing(t, func(url string) {
		var st dashState
		getJSON(t, url+"api/state", &st)
		if !st.Status.Training || !st.Status.Done || len(st.Epochs) != 1 || len(st.Points) == 0 {
			t.Errorf("state after training: %+v", st)
		}
		var maps struct {
			Step int `json:"step"`
		}
		getJSON(t, url+"api/maps?image=1", &maps)
		if maps.Step == 0 {
			t.Error("maps are not from a snapshot taken during training")
		}
	}, "train", "--limit", "500", "--epochs", "1", "--batch", "50", "--quiet", "--health", "64",
		"--model", "conv(4,5) relu maxpool(2) flatten dense(10)", "--out", out, "--ui", "127.0.0.1:0")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "dashboard stays up") {
		t.Errorf("no word on the dashboard staying up:\n%s", stdout)
	}
}

func TestUICommand(t *testing.T) {
	model := trainSmall(t)
	code, stdout, stderr := whileServing(t, func(url string) {
		var st dashState
		getJSON(t, url+"api/state", &st)
		if st.Status.Training || len(st.Epochs) != 1 || len(st.Points) == 0 || st.Model.Title != model || !slices.Equal(st.Model.Classes, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
			t.Errorf("state: %+v", st)
		}
		var ev struct {
			Examples int `json:"examples"`
		}
		getJSON(t, url+"api/eval", &ev)
		if ev.Examples != 1000 {
			t.Errorf("eval on %d examples", ev.Examples)
		}
	}, "ui", "--model", model, "--addr", "127.0.0.1:0")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, errOut := cli(t, "ui", "--model", model, "--metrics", t.TempDir()+"/none.jsonl")
	if code != 1 || !strings.Contains(errOut, "none.jsonl") {
		t.Errorf("missing --metrics file: exit %d, %q", code, errOut)
	}
}

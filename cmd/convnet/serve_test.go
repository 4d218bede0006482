package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx"
)

// TestServeAndSIGTERM runs `convnet serve` on an exported model, sends an
// infer request that waits in the batcher, and sends SIGTERM meanwhile:
// the request is answered, and the server exits 0.
func TestServeAndSIGTERM(t *testing.T) {
	bin := convnetBinary(t)
	path := filepath.Join(t.TempDir(), "digits.onnx")
	m, err := nn.NewModel("conv(4,5) relu maxpool(2) flatten dense(10)", []int{1, 28, 28}, nil, nn.SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(1)
	if err := onnx.SaveModel(path, m); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--model", path, "--addr", "127.0.0.1:0", "--max-batch", "8", "--max-delay", "1s")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("no startup line: %v %s", err, stderr.String())
	}
	addr := regexp.MustCompile(`http://[0-9.:]+`).FindString(line)
	if addr == "" || !strings.Contains(line, `"digits"`) || !strings.Contains(line, `input "input", output "dense1"`) {
		t.Fatalf("startup line %q", line)
	}
	body := `{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":[` + strings.Repeat("0,", 783) + `1]}]}`
	reply := make(chan string, 1)
	go func() {
		resp, err := http.Post(addr+"/v2/models/digits/infer", "application/json", strings.NewReader(body))
		if err != nil {
			reply <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		reply <- resp.Status + " " + string(b)
	}()
	time.Sleep(300 * time.Millisecond) // the request waits up to 1s for a batch
	cmd.Process.Signal(syscall.SIGTERM)
	got := <-reply
	var res struct {
		Outputs []struct {
			Shape []int
			Data  []float32
		}
	}
	if !strings.HasPrefix(got, "200 OK ") || json.Unmarshal([]byte(got[7:]), &res) != nil || len(res.Outputs) != 1 || len(res.Outputs[0].Data) != 10 {
		t.Errorf("the request in flight at SIGTERM got %s", got)
	}
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil || !strings.Contains(string(rest), "stopped") {
		t.Errorf("serve after SIGTERM: %v, output %q, stderr %q", err, rest, stderr.String())
	}
}

// TestServeFlags: negative limits are usage errors, caught before the
// model is read.
func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--max-inflight-bytes", "-1"},
		{"--inflight-wait", "-1s"},
		{"--max-body", "0"},
		{"--spin-wait", "-1ms"},
	} {
		var out bytes.Buffer
		err := runServe(append([]string{"--model", "no-such-file.onnx"}, args...), &out, &out)
		if _, ok := err.(usageError); !ok {
			t.Errorf("serve %v: %v, want a usage error", args, err)
		}
	}
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/convnet/convnet/internal/atomicfile"
	"github.com/convnet/convnet/nn"
)

// The tests here run the convnet binary as a real process and kill it
// with SIGKILL, which no Go code can intercept: what is on disk then is
// all that survives.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// convnetBinary builds cmd/convnet once per test run.
func convnetBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "convnet-crash-test-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "convnet")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatalf("cannot build convnet: %v", binErr)
	}
	return binPath
}

// smallTrain is a quick training run on 640 MNIST digits: 10 steps an
// epoch.
func smallTrain(dir string, epochs string, extra ...string) []string {
	return append([]string{"train", "--limit", "640", "--epochs", epochs, "--quiet", "--health", "0", "--threads", "1",
		"--out", filepath.Join(dir, "m.onnx")}, extra...)
}

// waitFor polls until ok or the timeout, failing the test on timeout.
func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func checkpointEpoch(t *testing.T, path string) string {
	t.Helper()
	c, err := nn.LoadCheckpoint(path)
	if err != nil {
		t.Fatalf("the checkpoint left by the killed run does not load: %v", err)
	}
	return c.Extra["epoch"]
}

// resumeToEnd resumes from dir/m.ckpt for one more epoch than it holds
// and checks the run completes.
func resumeToEnd(t *testing.T, bin, dir, epoch string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	next := map[string]string{"1": "2", "2": "3", "3": "4", "4": "5", "5": "6", "6": "7", "7": "8", "8": "9", "9": "10"}[epoch]
	if next == "" {
		t.Fatalf("unexpected checkpoint epoch %q", epoch)
	}
	cmd := exec.Command(bin, smallTrain(dir, next, "--resume", filepath.Join(dir, "m.ckpt"))...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("--resume after the kill: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "epoch "+next+"/"+next) || !strings.Contains(stdout.String(), "test accuracy") {
		t.Errorf("the resumed run did not train epoch %s:\n%s", next, stdout.String())
	}
}

// TestKillDuringTraining kills training mid-epoch, after a checkpoint
// exists: the checkpoint loads and --resume finishes the run.
func TestKillDuringTraining(t *testing.T) {
	bin := convnetBinary(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.ckpt")
	cmd := exec.Command(bin, smallTrain(dir, "50")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, "the first checkpoint", 60*time.Second, func() bool { _, err := os.Stat(ckpt); return err == nil })
	time.Sleep(300 * time.Millisecond) // into a later epoch
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	epoch := checkpointEpoch(t, ckpt)
	resumeToEnd(t, bin, dir, epoch)
}

// TestKillDuringCheckpointWrite kills training while it writes its second
// checkpoint (atomicfile.PauseEnv holds every write open between filling
// the temporary file and renaming it): the first checkpoint is intact and
// --resume finishes the run.
func TestKillDuringCheckpointWrite(t *testing.T) {
	bin := convnetBinary(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "m.ckpt")
	cmd := exec.Command(bin, smallTrain(dir, "5")...)
	cmd.Env = append(os.Environ(), atomicfile.PauseEnv+"=700ms")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	tmp := func() bool {
		m, _ := filepath.Glob(filepath.Join(dir, ".m.ckpt.tmp-*"))
		return len(m) > 0
	}
	waitFor(t, "the first checkpoint", 60*time.Second, func() bool { _, err := os.Stat(ckpt); return err == nil })
	waitFor(t, "the second checkpoint write", 60*time.Second, tmp)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if !tmp() {
		t.Fatal("the checkpoint write finished before the kill")
	}
	if epoch := checkpointEpoch(t, ckpt); epoch != "1" {
		t.Fatalf("checkpoint of epoch %s, want the first epoch's", epoch)
	}
	resumeToEnd(t, bin, dir, "1")
}

// TestUnwritableAndFullDisk: an output path that cannot be created, and a
// file system that fills up, give one clear line and exit status 1.
func TestUnwritableAndFullDisk(t *testing.T) {
	bin := convnetBinary(t)
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o644)
	out, err := exec.Command(bin, smallTrain(filepath.Join(notDir, "sub"), "1")...).CombinedOutput()
	if code := exitCode(err); code != 1 || !strings.Contains(string(out), "not a directory") {
		t.Errorf("an output under a file: exit %d\n%s", code, out)
	}

	// A 300 KiB tmpfs holds the metrics but not the 480 KiB checkpoint.
	full := filepath.Join(dir, "full")
	os.Mkdir(full, 0o755)
	if err := exec.Command("mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", full).Run(); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (needs root): %v", err)
	}
	defer exec.Command("umount", full).Run()
	out, err = exec.Command(bin, smallTrain(full, "1")...).CombinedOutput()
	if code := exitCode(err); code != 1 || !strings.Contains(string(out), "no space left on device") || !strings.Contains(string(out), "cannot write") {
		t.Errorf("a full disk: exit %d\n%s", code, out)
	}
	if left, _ := filepath.Glob(filepath.Join(full, ".*.tmp-*")); len(left) > 0 {
		t.Errorf("the failed write left %v", left)
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplaces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.bin")
	for _, want := range []string{"first", "second"} {
		if err := Write(p, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, want); return err }); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(p)
		if string(got) != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

func TestFailedWriteKeepsOld(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.bin")
	os.WriteFile(p, []byte("old"), 0o644)
	err := Write(p, 0o644, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errors.New("disk on fire")
	})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v", err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != "old" {
		t.Fatalf("old contents lost: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}
}

func TestUnwritableDirectory(t *testing.T) {
	err := Write("/nonexistent-dir/x/m.bin", 0o644, func(w io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "/nonexistent-dir/x/m.bin") {
		t.Fatalf("err = %v, want it to name the path", err)
	}
}

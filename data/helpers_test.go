package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// idxBytes builds an IDX file: magic, big-endian dims, payload.
func idxBytes(magic uint32, dims []uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, payload...)
}

// gzipWriter is reused because a new one allocates most of a megabyte,
// which would dominate a fuzz iteration.
var gzipWriter = struct {
	sync.Mutex
	*gzip.Writer
}{Writer: gzip.NewWriter(nil)}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	gzipWriter.Lock()
	defer gzipWriter.Unlock()
	gzipWriter.Reset(&buf)
	gzipWriter.Write(b)
	gzipWriter.Close()
	return buf.Bytes()
}

// tempDir is t.TempDir without the test's name in the path, so that error
// messages checked for fragments cannot match the name by accident.
func tempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "convnet-data")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func writeFile(t testing.TB, path string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantErr checks that err is of type T and that its message holds every
// fragment.
func wantErr[T error](t *testing.T, err error, fragments ...string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T), want %T", err, err, target)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

// tinyIDX is a 3-image, 2x3 dataset with labels 0, 9, 4.
var (
	tinyPixels = []byte{
		0, 1, 2, 3, 4, 5,
		10, 20, 30, 40, 50, 60,
		255, 254, 253, 252, 251, 250,
	}
	tinyLabels = []byte{0, 9, 4}
)

func tinyImagesFile() []byte { return idxBytes(0x803, []uint32{3, 2, 3}, tinyPixels) }
func tinyLabelsFile() []byte { return idxBytes(0x801, []uint32{3}, tinyLabels) }

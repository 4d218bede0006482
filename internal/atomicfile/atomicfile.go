// Package atomicfile writes files so that readers see either the old
// contents or the complete new ones, never a torn write: the data goes to a
// temporary file in the same directory, is synced to disk, and is renamed
// over the target (rename is atomic within a POSIX file system); the
// directory is synced so the rename itself survives a crash.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Write creates or replaces path with what fill writes. If fill or any step
// fails, path keeps its previous contents and the temporary file is removed.
func Write(path string, perm os.FileMode, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = fill(bw); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	testPause()
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // best effort: not every file system supports syncing a directory
		d.Close()
	}
	return nil
}

// unwrapPathError drops the *os.PathError wrapper, whose temporary file
// name would only confuse: the message already names the target.
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// PauseEnv names an environment variable for crash tests only: set to a
// duration ("2s"), every Write sleeps that long after its data is in the
// temporary file and before the file is synced and renamed, so that a test
// can kill the process while a write is in progress
// (cmd/convnet/crash_test.go). It is read at each Write; unset or invalid,
// nothing pauses.
const PauseEnv = "CONVNET_TEST_WRITE_PAUSE"

func testPause() {
	if v := os.Getenv(PauseEnv); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			time.Sleep(d)
		}
	}
}

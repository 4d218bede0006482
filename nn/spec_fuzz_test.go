package nn

import (
	"errors"
	"testing"
)

// FuzzBuildGraph parses and builds arbitrary model specs, as --model
// takes them from the command line or a file: each gives a graph or a
// *SpecError, never a panic, and MaxParams keeps a spec such as
// dense(999999999) from allocating its weights. The committed seeds are
// in testdata/fuzz/FuzzBuildGraph.
func FuzzBuildGraph(f *testing.F) {
	f.Add(lenet5)
	f.Add("conv(16,3,pad=1) batchnorm relu residual(conv(16,3,pad=1) batchnorm relu conv(16,3,pad=1) batchnorm) relu globalavgpool flatten dense(10)")
	f.Add("conv(6,3x5,stride=2,pad=1:0:1:2,dilation=2,groups=2,bias=false) leakyrelu(0.1) avgpool(2,stride=1) flatten dropout(0.5) dense(10,init=xavier) softmax")
	f.Add("# comment\nconv(999999,99) dense(2000000000)")
	f.Add("residual(residual(residual(")
	f.Fuzz(func(t *testing.T, spec string) {
		g, err := BuildGraph(spec, []int{1, 28, 28}, SpecOptions{MaxParams: 1 << 22})
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		n := 0
		for _, p := range g.Params() {
			n += p.Value.Len()
		}
		if n > 1<<22 {
			t.Fatalf("%d parameters past MaxParams", n)
		}
	})
}

package nn

import (
	"strings"
	"testing"
)

func TestSummaryLeNet5(t *testing.T) {
	m, err := NewModel(strings.ReplaceAll(lenet5, "maxpool(2)", "relu"), []int{1, 28, 28}, nil, SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := Summarize(m.Graph)
	// conv1: 6·1·5·5 + 6 = 156 params; 6·28·28 outputs × 25 taps = 117,600 MACs.
	if r := rows[1]; r.Params != 156 || r.MACs != 117600 {
		t.Errorf("conv1: %+v", r)
	}
	var b strings.Builder
	if err := WriteSummary(&b, m, 64); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"conv(6,5,pad=2)", "(64, 6, 28, 28)", "total params"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

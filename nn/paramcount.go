package nn

import (
	"fmt"
	"math"
)

// paramCounter is a layer whose parameter count grows with its arguments
// times its input (convolutions, dense layers): it says how many values
// Build will allocate for the input shapes, before Build allocates them.
// Layers with a parameter per channel are bounded by their input and need
// not count.
type paramCounter interface {
	paramCount(in [][]int) int64
}

// mulCap multiplies non-negative sizes, saturating at MaxInt64; a negative
// size (which Build rejects) counts as 0.
func mulCap(v ...int) int64 {
	p := int64(1)
	for _, x := range v {
		if x <= 0 {
			return 0
		}
		if p > math.MaxInt64/int64(x) {
			return math.MaxInt64
		}
		p *= int64(x)
	}
	return p
}

func (l *Conv2D) paramCount(in [][]int) int64 {
	if len(in) != 1 || len(in[0]) != 3 || l.Groups < 1 {
		return 0
	}
	return mulCap(l.Filters, in[0][0]/l.Groups, l.KH, l.KW)
}

func (l *ConvTranspose2D) paramCount(in [][]int) int64 {
	if len(in) != 1 || len(in[0]) != 3 || l.Groups < 1 {
		return 0
	}
	return mulCap(in[0][0], l.Filters/l.Groups, l.KH, l.KW)
}

func (l *Dense) paramCount(in [][]int) int64 {
	if len(in) != 1 {
		return 0
	}
	n := int64(1)
	for _, d := range in[0] {
		n = mulCap(int(min(n, math.MaxInt32)), d)
	}
	return mulCap(l.Out, int(min(n, math.MaxInt32)))
}

// checkParamBudget fails when adding l fed by shape would take the graph's
// parameters past max values (SpecOptions.MaxParams; DefaultMaxParams when
// max is not positive).
func checkParamBudget(g *Graph, l Layer, shape []int, max int64) error {
	pc, ok := l.(paramCounter)
	if !ok {
		return nil
	}
	if max <= 0 {
		max = DefaultMaxParams
	}
	var used int64
	for _, p := range g.Params() {
		used += int64(p.Value.Len())
	}
	if need := pc.paramCount([][]int{shape}); need > max-used {
		return fmt.Errorf("needs %d parameter values, more than the %d the model may hold", need, max-used)
	}
	return nil
}

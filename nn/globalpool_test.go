package nn

import "testing"

func TestGlobalPoolGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "globalavgpool", layer: NewGlobalAvgPool(), shapes: [][]int{{3, 4, 5, 3}}})
	checkGradients(t, gradCase{name: "globalavgpool 1-D", layer: NewGlobalAvgPool(), shapes: [][]int{{2, 3, 7}}})
	checkGradients(t, gradCase{name: "globalmaxpool", layer: NewGlobalMaxPool(), shapes: [][]int{{3, 4, 5, 3}}, inputs: distinctInputs})
	checkGradients(t, gradCase{name: "globalmaxpool 1x1", layer: NewGlobalMaxPool(), shapes: [][]int{{2, 3, 1, 1}}, inputs: distinctInputs})
}

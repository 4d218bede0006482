package train

import (
	"math"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// Eval is a model's performance on a labelled set.
type Eval struct {
	Examples  int       `json:"examples"`
	Accuracy  float64   `json:"accuracy"` // fraction in [0, 1]
	Loss      float64   `json:"loss"`     // mean cross-entropy
	Classes   []string  `json:"classes"`
	PerClass  []float64 `json:"per_class_accuracy"` // recall of each class
	Confusion [][]int   `json:"confusion"`          // [true class][predicted class]
}

// Evaluate runs m in inference mode over ds in batches and counts correct
// top-1 predictions, the cross-entropy and the confusion matrix.
func Evaluate(m *nn.Model, ds *data.Dataset, batch int) *Eval {
	k := len(m.Classes)
	e := &Eval{Examples: ds.Len(), Classes: m.Classes, PerClass: make([]float64, k), Confusion: make([][]int, k)}
	for i := range e.Confusion {
		e.Confusion[i] = make([]int, k)
	}
	var x, probs tensor.Tensor
	labels := make([]int, batch)
	idx := make([]int, batch)
	var lossSum float64
	correct := 0
	for lo := 0; lo < ds.Len(); lo += batch {
		n := min(batch, ds.Len()-lo)
		for i := range n {
			idx[i] = lo + i
		}
		x.Resize(n, ds.C, ds.H, ds.W)
		ds.Batch(idx[:n], x.Data, labels[:n], nil, nil)
		m.Predict(&x, &probs)
		for i := range n {
			row := probs.Data[i*k : (i+1)*k]
			pred := argmax(row)
			y := labels[i]
			e.Confusion[y][pred]++
			if pred == y {
				correct++
			}
			lossSum -= math.Log(max(float64(row[y]), 1e-30))
		}
	}
	if ds.Len() > 0 {
		e.Accuracy = float64(correct) / float64(ds.Len())
		e.Loss = lossSum / float64(ds.Len())
	}
	for c := range k {
		total := 0
		for _, v := range e.Confusion[c] {
			total += v
		}
		if total > 0 {
			e.PerClass[c] = float64(e.Confusion[c][c]) / float64(total)
		}
	}
	return e
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

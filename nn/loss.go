package nn

import (
	"fmt"
	"math"

	"github.com/convnet/convnet/tensor"
)

// SoftmaxCrossEntropy is the classification loss on logits z (N, K) and
// integer labels y, averaged over the batch (PyTorch's CrossEntropyLoss):
//
//	L = -(1/N) Σ_n log softmax(z_n)[y_n],   ∂L/∂z_n = (softmax(z_n) - onehot(y_n)) / N
//
// It keeps the softmax probabilities of the last call in Probs.
type SoftmaxCrossEntropy struct {
	Probs tensor.Tensor // (N, K)
	Grad  tensor.Tensor // (N, K): ∂L/∂z after Loss

	terms []float64 // (N): each example's -log softmax(z_n)[y_n]
}

// Loss returns the mean loss over the batch and fills Probs and Grad.
// Labels must lie in [0, K); it panics if one does not (the caller checks
// them against the dataset).
func (l *SoftmaxCrossEntropy) Loss(z *tensor.Tensor, labels []int) float32 {
	l.resize(z, labels)
	l.rows(z, labels, 0, z.Shape[0])
	return l.mean()
}

// mean is the loss of the batch whose rows are done: the mean of the
// examples' terms, summed in order.
func (l *SoftmaxCrossEntropy) mean() float32 {
	var total float64
	for _, t := range l.terms {
		total += t
	}
	return float32(total / float64(len(l.terms)))
}

// resize checks the logits z, (N, K), and labels, and sizes Probs, Grad
// and the terms for them.
func (l *SoftmaxCrossEntropy) resize(z *tensor.Tensor, labels []int) {
	if len(z.Shape) != 2 {
		panic("nn: SoftmaxCrossEntropy: logits must be (N, K), not " + tensor.ShapeString(z.Shape))
	}
	n, k := z.Shape[0], z.Shape[1]
	if len(labels) != n {
		panic("nn: SoftmaxCrossEntropy: labels and logits disagree on the batch size")
	}
	// Checked here, on the caller's goroutine: Graph.TrainStep reads the
	// labels in its shards, where an index panic could not be recovered.
	for i, y := range labels {
		if y < 0 || y >= k {
			panic(fmt.Sprintf("nn: SoftmaxCrossEntropy: label %d of example %d is not a class of %d", y, i, k))
		}
	}
	l.Probs.Resize(n, k)
	l.Grad.Resize(n, k)
	if cap(l.terms) < n {
		l.terms = make([]float64, n)
	}
	l.terms = l.terms[:n]
}

// rows fills Probs, Grad and the loss terms of rows [lo, hi) of z, the
// gradient scaled by 1/N for the whole batch. Rows are independent, so the
// shards of a Graph.TrainStep each compute their own.
func (l *SoftmaxCrossEntropy) rows(z *tensor.Tensor, labels []int, lo, hi int) {
	n, k := z.Shape[0], z.Shape[1]
	inv := 1 / float32(n)
	for i := lo; i < hi; i++ {
		zr := z.Data[i*k : (i+1)*k]
		pr := l.Probs.Data[i*k : (i+1)*k]
		gr := l.Grad.Data[i*k : (i+1)*k]
		m := zr[0]
		for _, v := range zr[1:] {
			m = max(m, v)
		}
		var sum float64
		for j, v := range zr {
			e := math.Exp(float64(v - m))
			pr[j] = float32(e)
			sum += e
		}
		// log softmax(z)[y] = z_y - m - log Σ exp(z - m), exact even when p_y underflows.
		l.terms[i] = math.Log(sum) - float64(zr[labels[i]]-m)
		s := float32(1 / sum)
		for j := range pr {
			pr[j] *= s
			gr[j] = pr[j] * inv
		}
		gr[labels[i]] -= inv
	}
}

// MSE is the mean squared error over every element (PyTorch's MSELoss with
// reduction "mean"):
//
//	L = (1/M) Σ (p - t)²,   ∂L/∂p = 2(p - t)/M,   M = number of elements.
type MSE struct {
	Grad tensor.Tensor
}

// Loss returns the mean squared error of pred against target and fills Grad.
func (l *MSE) Loss(pred, target *tensor.Tensor) float32 {
	if len(pred.Data) != len(target.Data) {
		panic("nn: MSE: prediction and target differ in size")
	}
	l.Grad.Resize(pred.Shape...)
	var total float64
	scale := 2 / float32(len(pred.Data))
	for i, p := range pred.Data {
		d := p - target.Data[i]
		total += float64(d) * float64(d)
		l.Grad.Data[i] = scale * d
	}
	return float32(total / float64(len(pred.Data)))
}

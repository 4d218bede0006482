package data

import (
	"math/rand/v2"

	"github.com/convnet/convnet/tensor"
)

// Batch fills x, a (len(idx), C, H, W) float32 array, and labels with the
// examples idx. Pixels p become p/255, in [0,1], or (p/255 - Mean[c]) /
// Std[c] when d has Mean and Std. aug, if not nil, crops and flips each
// example at random with choices drawn from rng, example by example in idx
// order, so the same rng state gives the same batch. Batch allocates nothing.
//
// It panics if x or labels have the wrong length, if Mean or Std do not have
// C values, or if aug needs randomness and rng is nil: those are mistakes in
// the calling code.
func (d *Dataset) Batch(idx []int, x []float32, labels []int, aug *Augment, rng *rand.Rand) {
	size, hw := d.Size(), d.H*d.W
	if len(x) != len(idx)*size || len(labels) != len(idx) {
		panic("data: Batch: x must hold len(idx)*C*H*W values and labels len(idx)")
	}
	if d.Mean != nil && (len(d.Mean) != d.C || len(d.Std) != d.C) {
		panic("data: Batch: Mean and Std must have one value per channel")
	}
	if aug.active() && rng == nil {
		panic("data: Batch: augmentation needs a *rand.Rand")
	}
	for b, i := range idx {
		labels[b] = int(d.Labels[i])
		dy, dx, flip := aug.draw(rng)
		in := d.Image(i)
		out := x[b*size : (b+1)*size]
		for c := range d.C {
			scale, bias := float32(1.0/255), float32(0)
			if d.Mean != nil {
				scale, bias = 1/(255*d.Std[c]), -d.Mean[c]/d.Std[c]
			}
			writeChannel(in[c*hw:(c+1)*hw], out[c*hw:(c+1)*hw], d.H, d.W, dy, dx, flip, scale, bias)
		}
	}
}

// BatchTensor is Batch into a tensor, which it resizes to (len(idx), C, H,
// W), reusing its storage when large enough.
func (d *Dataset) BatchTensor(idx []int, x *tensor.Tensor, labels []int, aug *Augment, rng *rand.Rand) {
	x.Resize(len(idx), d.C, d.H, d.W)
	d.Batch(idx, x.Data, labels, aug, rng)
}

package data

import (
	"math/rand/v2"

	"github.com/convnet/convnet/tensor"
)

// Batch fills x, a (len(idx), C, H, W) float32 array, and labels with the
// examples idx. Pixels p become p/255, in [0,1], or (p/255 - Mean[c]) /
// Std[c] when d has Mean and Std, both computed in float32. aug, if not nil, crops and flips each
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
	// Pixel p maps to lut[p], computed as torchvision's ToTensor and
	// Normalize do in float32, so batches match PyTorch's bit for bit.
	var luts [4][256]float32
	for c := range min(d.C, len(luts)) {
		d.fillLUT(&luts[c], c)
	}
	for b, i := range idx {
		labels[b] = int(d.Labels[i])
		dy, dx, flip := aug.draw(rng)
		in := d.Image(i)
		out := x[b*size : (b+1)*size]
		for c := range d.C {
			lut := &luts[min(c, len(luts)-1)]
			if c >= len(luts) {
				d.fillLUT(lut, c)
			}
			writeChannel(in[c*hw:(c+1)*hw], out[c*hw:(c+1)*hw], d.H, d.W, dy, dx, flip, lut)
		}
	}
}

// fillLUT sets lut[p] to channel c's value for pixel p: p/255, then
// (p/255 - Mean[c]) / Std[c] when d has Mean.
func (d *Dataset) fillLUT(lut *[256]float32, c int) {
	for p := range lut {
		v := float32(p) / 255
		if d.Mean != nil {
			v = (v - d.Mean[c]) / d.Std[c]
		}
		lut[p] = v
	}
}

// BatchTensor is Batch into a tensor, which it resizes to (len(idx), C, H,
// W), reusing its storage when large enough.
func (d *Dataset) BatchTensor(idx []int, x *tensor.Tensor, labels []int, aug *Augment, rng *rand.Rand) {
	x.Resize(len(idx), d.C, d.H, d.W)
	d.Batch(idx, x.Data, labels, aug, rng)
}

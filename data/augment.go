package data

import "math/rand/v2"

// Augment says how Batch changes each example at random, the usual CIFAR
// training augmentation. The zero value (or a nil *Augment) changes nothing.
type Augment struct {
	// Pad > 0 crops at random: the image is padded with Pad pixels of value 0
	// on every side and an H×W window is taken at a uniform random offset,
	// as torchvision's RandomCrop(size, padding=Pad) does.
	Pad int
	// Flip mirrors the image left-right with probability 1/2, after the crop.
	Flip bool
}

// draw takes one example's random choices from rng, always in this order:
// the vertical shift, the horizontal shift (both in [-Pad, Pad], drawn only
// when Pad > 0), then the flip (drawn only when Flip). The same rng state
// therefore gives the same augmented batch.
func (a *Augment) draw(rng *rand.Rand) (dy, dx int, flip bool) {
	if a == nil {
		return 0, 0, false
	}
	if a.Pad > 0 {
		dy = rng.IntN(2*a.Pad+1) - a.Pad
		dx = rng.IntN(2*a.Pad+1) - a.Pad
	}
	if a.Flip {
		flip = rng.IntN(2) == 1
	}
	return dy, dx, flip
}

func (a *Augment) active() bool { return a != nil && (a.Pad > 0 || a.Flip) }

// writeChannel writes one h×w channel of in to out through lut, with
// out[y][x] = lut[in[y+dy][x+dx]] (x mirrored to w-1-x first when flip) and
// lut[0], the value of a zero pixel, where that falls outside the image.
func writeChannel(in []uint8, out []float32, h, w, dy, dx int, flip bool, lut *[256]float32) {
	zero := lut[0]
	for y := range h {
		row := out[y*w : (y+1)*w]
		sy := y + dy
		if sy < 0 || sy >= h {
			for x := range row {
				row[x] = zero
			}
			continue
		}
		src := in[sy*w : (sy+1)*w]
		if dx == 0 && !flip {
			for x, p := range src {
				row[x] = lut[p]
			}
			continue
		}
		for x := range row {
			sx := x
			if flip {
				sx = w - 1 - x
			}
			sx += dx
			if sx < 0 || sx >= w {
				row[x] = zero
			} else {
				row[x] = lut[src[sx]]
			}
		}
	}
}

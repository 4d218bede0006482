package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// slowAugment is the definition of the crop and flip: pad with zeros,
// take the h×w window at (Pad+dy, Pad+dx), then mirror left-right.
func slowAugment(in []uint8, h, w, pad, dy, dx int, flip bool) []float32 {
	ph, pw := h+2*pad, w+2*pad
	padded := make([]float32, ph*pw)
	for y := range h {
		for x := range w {
			padded[(y+pad)*pw+x+pad] = float32(in[y*w+x])
		}
	}
	out := make([]float32, h*w)
	for y := range h {
		for x := range w {
			out[y*w+x] = padded[(y+pad+dy)*pw+x+pad+dx]
		}
	}
	if flip {
		for y := range h {
			slices.Reverse(out[y*w : (y+1)*w])
		}
	}
	return out
}

// identityLUT maps each pixel to its own value.
var identityLUT = func() *[256]float32 {
	var lut [256]float32
	for p := range lut {
		lut[p] = float32(p)
	}
	return &lut
}()

func TestWriteChannelKnown(t *testing.T) {
	in := []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9}
	out := make([]float32, 9)
	writeChannel(in, out, 3, 3, 1, -1, false, identityLUT)
	if want := []float32{0, 4, 5, 0, 7, 8, 0, 0, 0}; !slices.Equal(out, want) {
		t.Errorf("shift (1,-1) = %v, want %v", out, want)
	}
	writeChannel(in, out, 3, 3, 1, -1, true, identityLUT)
	if want := []float32{5, 4, 0, 8, 7, 0, 0, 0, 0}; !slices.Equal(out, want) {
		t.Errorf("shift (1,-1) + flip = %v, want %v", out, want)
	}
}

func TestWriteChannelAgainstSlow(t *testing.T) {
	const h, w, pad = 3, 5, 2
	in := make([]uint8, h*w)
	for i := range in {
		in[i] = uint8(10 + i)
	}
	out := make([]float32, h*w)
	for dy := -pad; dy <= pad; dy++ {
		for dx := -pad; dx <= pad; dx++ {
			for _, flip := range []bool{false, true} {
				writeChannel(in, out, h, w, dy, dx, flip, identityLUT)
				if want := slowAugment(in, h, w, pad, dy, dx, flip); !slices.Equal(out, want) {
					t.Errorf("dy=%d dx=%d flip=%v: %v, want %v", dy, dx, flip, out, want)
				}
			}
		}
	}
}

func TestAugmentDrawsEveryChoice(t *testing.T) {
	a := &Augment{Pad: 2, Flip: true}
	rng := rand.New(rand.NewPCG(5, 6))
	seen := map[[3]int]int{}
	for range 2000 {
		dy, dx, flip := a.draw(rng)
		f := 0
		if flip {
			f = 1
		}
		seen[[3]int{dy, dx, f}]++
	}
	if len(seen) != 5*5*2 {
		t.Errorf("saw %d of the 50 (dy, dx, flip) choices", len(seen))
	}
	for k := range seen {
		if k[0] < -2 || k[0] > 2 || k[1] < -2 || k[1] > 2 {
			t.Errorf("offset %v outside [-2, 2]", k)
		}
	}
	var none *Augment
	if dy, dx, flip := none.draw(nil); dy != 0 || dx != 0 || flip {
		t.Error("nil Augment changed something")
	}
}

// tinyRGB is 4 examples of 3x2x2 with distinct pixels.
func tinyRGB() *Dataset {
	d := &Dataset{Name: "rgb", C: 3, H: 2, W: 2, Classes: []string{"a", "b"}, Labels: []int32{0, 1, 1, 0}}
	for i := range 4 * 12 {
		d.Pixels = append(d.Pixels, uint8(i*5))
	}
	return d
}

func TestBatchValues(t *testing.T) {
	d := tinyRGB()
	x := make([]float32, 2*12)
	labels := make([]int, 2)
	d.Batch([]int{3, 1}, x, labels, nil, nil)
	if !slices.Equal(labels, []int{0, 1}) {
		t.Errorf("labels %v", labels)
	}
	for j, p := range append(slices.Clone(d.Image(3)), d.Image(1)...) {
		if x[j] != float32(p)/255 {
			t.Fatalf("x[%d] = %v, want %v/255", j, x[j], p)
		}
	}
	// Normalised, as torchvision computes it in float32; padding is pixel 0.
	d.Mean, d.Std = []float32{0.5, 0.25, 0}, []float32{0.5, 2, 1}
	d.Batch([]int{3, 1}, x, labels, nil, nil)
	for j, p := range append(slices.Clone(d.Image(3)), d.Image(1)...) {
		c := j % 12 / 4
		if want := (float32(p)/255 - d.Mean[c]) / d.Std[c]; x[j] != want {
			t.Fatalf("normalised x[%d] = %v, want %v", j, x[j], want)
		}
	}
	// A shift of Pad=1 on a 2x2 image always uncovers padding somewhere
	// unless it draws (0, 0); every value still comes from a pixel.
	rng := rand.New(rand.NewPCG(1, 1))
	for range 10 {
		d.Batch([]int{3, 1}, x, labels, &Augment{Pad: 1}, rng)
		for j, v := range x {
			c := j % 12 / 4
			p := (float64(v)*float64(d.Std[c]) + float64(d.Mean[c])) * 255
			if r := math.Round(p); math.Abs(p-r) > 1e-3 || r < 0 || r > 255 {
				t.Fatalf("x[%d] = %v does not come from a pixel of channel %d", j, v, c)
			}
		}
	}
}

func TestBatchManyChannels(t *testing.T) {
	// More channels than Batch keeps tables for on its stack.
	d := &Dataset{C: 6, H: 1, W: 2, Pixels: []uint8{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Labels: []int32{0}}
	x := make([]float32, 12)
	d.Batch([]int{0}, x, make([]int, 1), nil, nil)
	for j, p := range d.Pixels {
		if x[j] != float32(p)/255 {
			t.Fatalf("x[%d] = %v, want %d/255", j, x[j], p)
		}
	}
}

func TestMeanStd(t *testing.T) {
	d := &Dataset{C: 2, H: 1, W: 2, Pixels: []uint8{0, 255, 51, 51, 0, 255, 51, 51}, Labels: []int32{0, 0}}
	mean, std := d.MeanStd()
	if math.Abs(float64(mean[0])-0.5) > 1e-6 || math.Abs(float64(std[0])-0.5) > 1e-6 {
		t.Errorf("channel 0: mean %v std %v, want 0.5 0.5", mean[0], std[0])
	}
	if math.Abs(float64(mean[1])-0.2) > 1e-6 || std[1] != 1 {
		t.Errorf("constant channel 1: mean %v std %v, want 0.2 1", mean[1], std[1])
	}
}

func TestSubsetSlice(t *testing.T) {
	d := tinyRGB()
	if s := d.Subset(2); s.Len() != 2 || len(s.Pixels) != 24 || d.Subset(99).Len() != 4 || d.Subset(-1).Len() != 4 {
		t.Error("Subset lengths")
	}
	if s := d.Slice(1, 3); s.Labels[0] != 1 || s.Image(1)[0] != d.Image(2)[0] {
		t.Error("Slice contents")
	}
}

// epochBatches runs two epochs of a shuffled loader with augmentation and
// returns every index and every batch value.
func epochBatches(seed uint64) (orders []int, values []float32) {
	d := tinyRGB()
	rng := rand.New(rand.NewPCG(seed, 0))
	l := NewLoader(d.Len(), 3, rng)
	x := make([]float32, 3*d.Size())
	labels := make([]int, 3)
	for range 2 {
		for idx := l.Next(); idx != nil; idx = l.Next() {
			orders = append(orders, idx...)
			d.Batch(idx, x[:len(idx)*d.Size()], labels[:len(idx)], &Augment{Pad: 1, Flip: true}, rng)
			values = append(values, x[:len(idx)*d.Size()]...)
		}
		l.Epoch()
	}
	return orders, values
}

func TestDeterminism(t *testing.T) {
	o1, v1 := epochBatches(42)
	o2, v2 := epochBatches(42)
	if !slices.Equal(o1, o2) || !slices.Equal(v1, v2) {
		t.Error("same seed, different order or batches")
	}
	o3, v3 := epochBatches(43)
	if slices.Equal(o1, o3) && slices.Equal(v1, v3) {
		t.Error("seeds 42 and 43 give the same order and batches")
	}
	a := Shuffle(100, rand.New(rand.NewPCG(7, 7)))
	if b := Shuffle(100, rand.New(rand.NewPCG(7, 7))); !slices.Equal(a, b) {
		t.Error("Shuffle: same seed, different order")
	}
	if c := Shuffle(100, rand.New(rand.NewPCG(8, 7))); slices.Equal(a, c) {
		t.Error("Shuffle: different seeds, same order")
	}
	slices.Sort(a)
	for i, v := range a {
		if v != i {
			t.Fatalf("Shuffle is not a permutation: %v", a)
		}
	}
}

func TestLoader(t *testing.T) {
	l := NewLoader(10, 4, rand.New(rand.NewPCG(1, 2)))
	for epoch := range 3 {
		var sizes []int
		var all []int
		for idx := l.Next(); idx != nil; idx = l.Next() {
			sizes = append(sizes, len(idx))
			all = append(all, idx...)
		}
		slices.Sort(all)
		if !slices.Equal(sizes, []int{4, 4, 2}) || !slices.Equal(all, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) || l.Batches() != 3 {
			t.Errorf("epoch %d: sizes %v, indices %v", epoch, sizes, all)
		}
		l.Epoch()
	}
	l.DropLast = true
	n := 0
	for idx := l.Next(); idx != nil; idx = l.Next() {
		n++
	}
	if n != 2 || l.Batches() != 2 {
		t.Errorf("DropLast: %d batches, Batches() = %d", n, l.Batches())
	}
	seq := NewLoader(5, 2, nil)
	if idx := seq.Next(); !slices.Equal(idx, []int{0, 1}) {
		t.Errorf("unshuffled first batch %v", idx)
	}
}

func TestBatchPanicsOnMisuse(t *testing.T) {
	d := tinyRGB()
	for name, f := range map[string]func(){
		"short x":      func() { d.Batch([]int{0}, make([]float32, 11), make([]int, 1), nil, nil) },
		"short labels": func() { d.Batch([]int{0, 1}, make([]float32, 24), make([]int, 1), nil, nil) },
		"no rng":       func() { d.Batch([]int{0}, make([]float32, 12), make([]int, 1), &Augment{Flip: true}, nil) },
		"zero batch":   func() { NewLoader(3, 0, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestBatchAllocatesNothing(t *testing.T) {
	d := tinyRGB()
	d.Mean, d.Std = d.MeanStd()
	rng := rand.New(rand.NewPCG(1, 2))
	l := NewLoader(d.Len(), 2, rng)
	x := make([]float32, 2*d.Size())
	labels := make([]int, 2)
	aug := &Augment{Pad: 1, Flip: true}
	var tx tensor.Tensor
	allocs := testing.AllocsPerRun(100, func() {
		idx := l.Next()
		if idx == nil {
			l.Epoch()
			idx = l.Next()
		}
		d.Batch(idx, x, labels, aug, rng)
		d.BatchTensor(idx, &tx, labels, aug, rng)
	})
	if allocs != 0 {
		t.Errorf("Loader.Next + Batch + BatchTensor allocate %v times per batch", allocs)
	}
	if len(tx.Data) != len(x) || !slices.Equal(tx.Shape, []int{2, 3, 2, 2}) {
		t.Errorf("BatchTensor shape %v", tx.Shape)
	}
}

// BenchmarkBatch measures batching 64 MNIST-sized or CIFAR-sized examples,
// plain and augmented.
func BenchmarkBatch(b *testing.B) {
	for _, s := range []struct {
		name    string
		c, h, w int
		aug     *Augment
	}{
		{"mnist", 1, 28, 28, nil},
		{"cifar", 3, 32, 32, nil},
		{"cifar-aug", 3, 32, 32, &Augment{Pad: 4, Flip: true}},
	} {
		b.Run(s.name, func(b *testing.B) {
			const n, batch = 1024, 64
			d := &Dataset{C: s.c, H: s.h, W: s.w, Pixels: make([]uint8, n*s.c*s.h*s.w), Labels: make([]int32, n)}
			d.Mean, d.Std = d.MeanStd()
			rng := rand.New(rand.NewPCG(1, 1))
			l := NewLoader(n, batch, rng)
			l.DropLast = true
			x := make([]float32, batch*d.Size())
			labels := make([]int, batch)
			b.ReportAllocs()
			b.SetBytes(int64(batch * d.Size()))
			for b.Loop() {
				idx := l.Next()
				if idx == nil {
					l.Epoch()
					idx = l.Next()
				}
				d.Batch(idx, x, labels, s.aug, rng)
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

package data

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// slowResample is the 2-D definition of resample: each output pixel is the
// normalised sum over all source pixels of the product of the triangle
// weights along each axis, computed afresh with no precomputed taps.
func slowResample(src []uint8, c, sh, sw, dh, dw int) []uint8 {
	weight := func(in, out, i, j int) float64 {
		scale := float64(in) / float64(out)
		support := max(scale, 1)
		center := (float64(i) + 0.5) * scale
		return max(1-math.Abs((float64(j)+0.5-center)/support), 0)
	}
	dst := make([]uint8, c*dh*dw)
	for ch := range c {
		for y := range dh {
			for x := range dw {
				var s, norm float64
				for sy := range sh {
					for sx := range sw {
						w := weight(sh, dh, y, sy) * weight(sw, dw, x, sx)
						s += w * float64(src[ch*sh*sw+sy*sw+sx])
						norm += w
					}
				}
				dst[ch*dh*dw+y*dw+x] = uint8(math.Round(s / norm))
			}
		}
	}
	return dst
}

func TestResampleAgainstSlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		c := 1 + 2*rng.IntN(2)
		sh, sw, dh, dw := 1+rng.IntN(12), 1+rng.IntN(12), 1+rng.IntN(12), 1+rng.IntN(12)
		src := make([]uint8, c*sh*sw)
		for i := range src {
			src[i] = uint8(rng.IntN(256))
		}
		got := make([]uint8, c*dh*dw)
		resample(src, c, sh, sw, got, dh, dw)
		want := slowResample(src, c, sh, sw, dh, dw)
		for i := range got {
			if d := int(got[i]) - int(want[i]); d < -1 || d > 1 {
				t.Fatalf("%dx%dx%d -> %dx%d: pixel %d = %d, want %d", c, sh, sw, dh, dw, i, got[i], want[i])
			}
		}
	}
}

func TestResampleKnown(t *testing.T) {
	// Bilinear on pixel centres, as PyTorch's interpolate(align_corners=False).
	got := make([]uint8, 4)
	resample([]uint8{0, 100}, 1, 1, 2, got, 1, 4)
	if !slices.Equal(got, []uint8{0, 25, 75, 100}) {
		t.Errorf("1x2 -> 1x4 = %v", got)
	}
	// Shrinking averages: a 4x4 checkerboard becomes uniform gray at 1x1.
	board := []uint8{0, 255, 0, 255, 255, 0, 255, 0, 0, 255, 0, 255, 255, 0, 255, 0}
	one := make([]uint8, 1)
	resample(board, 1, 4, 4, one, 1, 1)
	if one[0] != 128 {
		t.Errorf("checkerboard -> 1x1 = %d, want 128", one[0])
	}
}

func TestDatasetResize(t *testing.T) {
	d := &Dataset{Name: "t", C: 1, H: 2, W: 3, Pixels: slices.Clone(tinyPixels), Labels: []int32{0, 9, 4}}
	rgb, err := d.Resize(3, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 3 {
		if !slices.Equal(rgb.Image(1)[c*6:(c+1)*6], tinyPixels[6:12]) {
			t.Errorf("channel %d of example 1 = %v", c, rgb.Image(1)[c*6:(c+1)*6])
		}
	}
	back, err := rgb.Resize(1, 2, 3)
	if err != nil || !slices.Equal(back.Pixels, d.Pixels) {
		t.Errorf("gray -> RGB -> gray = %v, %v", back.Pixels, err)
	}
	if same, _ := d.Resize(1, 2, 3); same != d {
		t.Error("Resize to the same shape copied")
	}
	if _, err := (&Dataset{C: 2}).Resize(3, 1, 1); err == nil {
		t.Error("2 -> 3 channels: no error")
	}
	// Through Open: tiny MNIST-style files as a 3x4x6 model input.
	dir := tempDir(t)
	writeFile(t, filepath.Join(dir, idxTrainImages), tinyImagesFile())
	writeFile(t, filepath.Join(dir, idxTrainLabels), tinyLabelsFile())
	writeFile(t, filepath.Join(dir, idxTestImages), tinyImagesFile())
	writeFile(t, filepath.Join(dir, idxTestLabels), tinyLabelsFile())
	train, test, err := Open("mnist:"+dir, Options{C: 3, H: 4, W: 6})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Dataset{train, test} {
		if s.C != 3 || s.H != 4 || s.W != 6 || len(s.Pixels) != 3*3*4*6 || s.Labels[1] != 9 {
			t.Errorf("%s: %dx%dx%d, %d bytes", s.Name, s.C, s.H, s.W, len(s.Pixels))
		}
	}
}

// opaque hides an image's concrete type, forcing imageToCHW's generic path.
type opaque struct{ image.Image }

func TestImageToCHWFastPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := image.Rect(2, 3, 9, 8) // a non-zero origin catches offset mistakes
	nrgba := image.NewNRGBA(r)
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(rng.IntN(256))
	}
	rgba := image.NewRGBA(r)
	gray := image.NewGray(r)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, red, green})
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := nrgba.At(x, y)
			rgba.Set(x, y, c)
			gray.Set(x, y, c)
			pal.SetColorIndex(x, y, uint8(rng.IntN(4)))
		}
	}
	for i := range ycc.Y {
		ycc.Y[i] = uint8(rng.IntN(256))
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(rng.IntN(256)), uint8(rng.IntN(256))
	}
	for _, img := range []image.Image{nrgba, rgba, gray, ycc, pal} {
		for _, c := range []int{1, 3} {
			n := c * r.Dx() * r.Dy()
			fast, slow := make([]uint8, n), make([]uint8, n)
			imageToCHW(img, c, fast)
			imageToCHW(opaque{img}, c, slow)
			for i := range fast {
				if d := int(fast[i]) - int(slow[i]); d < -1 || d > 1 {
					t.Fatalf("%T, %d channels: byte %d fast %d generic %d", img, c, i, fast[i], slow[i])
				}
			}
		}
	}
}

package data

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"runtime"
	"sync"
)

// Resize returns a copy of d whose examples have c channels of h×w pixels.
// Channels convert gray to RGB by copying and RGB to gray by the ITU-R
// BT.601 luma 0.299 R + 0.587 G + 0.114 B; sizes change by bilinear
// resampling (see resample). It returns d itself when nothing changes.
func (d *Dataset) Resize(c, h, w int) (*Dataset, error) {
	if c == d.C && h == d.H && w == d.W {
		return d, nil
	}
	if c <= 0 || h <= 0 || w <= 0 {
		return nil, fmt.Errorf("data: cannot resize %s to %dx%dx%d", d.Name, c, h, w)
	}
	if c != d.C && !(c == 1 && d.C == 3) && !(c == 3 && d.C == 1) {
		return nil, &UnsupportedError{File: d.Name, Msg: fmt.Sprintf("cannot convert %d channels to %d", d.C, c)}
	}
	out := *d
	out.C, out.H, out.W = c, h, w
	out.Pixels = make([]uint8, d.Len()*c*h*w)
	out.Mean, out.Std = nil, nil
	parallelFor(d.Len(), func(i int) {
		src := convertChannels(d.Image(i), d.C, c, d.H*d.W)
		resample(src, c, d.H, d.W, out.Image(i), h, w)
	})
	return &out, nil
}

// convertChannels turns CHW pixels of from channels into to channels (equal,
// 1 to 3, or 3 to 1), returning src itself when from == to.
func convertChannels(src []uint8, from, to, hw int) []uint8 {
	switch {
	case from == to:
		return src
	case from == 1:
		dst := make([]uint8, 3*hw)
		for c := range 3 {
			copy(dst[c*hw:], src)
		}
		return dst
	default:
		dst := make([]uint8, hw)
		for i := range dst {
			dst[i] = luma(uint32(src[i])*0x101, uint32(src[hw+i])*0x101, uint32(src[2*hw+i])*0x101)
		}
		return dst
	}
}

// luma is the 8-bit gray of 16-bit r, g, b, weighted as color.GrayModel does.
func luma(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 24)
}

// imageToCHW writes img, at its own size, into dst as c channels (1: gray,
// 3: RGB) in CHW order; len(dst) must be c times its pixel count. Alpha is
// composited over black.
func imageToCHW(img image.Image, c int, dst []uint8) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	hw := w * h
	put := func(i int, r, g, bl uint8) {
		if c == 1 {
			dst[i] = luma(uint32(r)*0x101, uint32(g)*0x101, uint32(bl)*0x101)
			return
		}
		dst[i], dst[hw+i], dst[2*hw+i] = r, g, bl
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := range h {
			o := m.PixOffset(b.Min.X, b.Min.Y+y)
			row := m.Pix[o : o+w]
			for cc := range c {
				copy(dst[cc*hw+y*w:], row)
			}
		}
	case *image.YCbCr:
		for y := range h {
			for x := range w {
				p := m.YCbCrAt(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(p.Y, p.Cb, p.Cr)
				put(y*w+x, r, g, bl)
			}
		}
	case *image.RGBA:
		for y := range h {
			for x := range w {
				o := m.PixOffset(b.Min.X+x, b.Min.Y+y)
				put(y*w+x, m.Pix[o], m.Pix[o+1], m.Pix[o+2])
			}
		}
	case *image.NRGBA:
		for y := range h {
			for x := range w {
				o := m.PixOffset(b.Min.X+x, b.Min.Y+y)
				a := uint32(m.Pix[o+3])
				put(y*w+x, uint8(uint32(m.Pix[o])*a/255), uint8(uint32(m.Pix[o+1])*a/255), uint8(uint32(m.Pix[o+2])*a/255))
			}
		}
	default:
		for y := range h {
			for x := range w {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				put(y*w+x, uint8(r>>8), uint8(g>>8), uint8(bl>>8))
			}
		}
	}
}

// resample resizes each of the c channels of src (sh×sw, CHW) into dst
// (dh×dw, CHW) with the bilinear (triangle) filter on pixel centres, the
// filter widened by the shrink factor when shrinking so that every source
// pixel contributes (antialiasing, as PIL's bilinear resize does). Rows are
// resampled first, then columns.
func resample(src []uint8, c, sh, sw int, dst []uint8, dh, dw int) {
	if sh == dh && sw == dw {
		copy(dst, src[:c*sh*sw])
		return
	}
	xs := triangleWeights(sw, dw)
	ys := triangleWeights(sh, dh)
	tmp := make([]float32, sh*dw)
	for ch := range c {
		in := src[ch*sh*sw : (ch+1)*sh*sw]
		for y := range sh {
			row := in[y*sw : (y+1)*sw]
			for x, t := range xs {
				var s float32
				for k, wt := range t.w {
					s += wt * float32(row[t.first+k])
				}
				tmp[y*dw+x] = s
			}
		}
		out := dst[ch*dh*dw : (ch+1)*dh*dw]
		for y, t := range ys {
			for x := range dw {
				var s float32
				for k, wt := range t.w {
					s += wt * tmp[(t.first+k)*dw+x]
				}
				out[y*dw+x] = uint8(min(max(math.Round(float64(s)), 0), 255))
			}
		}
	}
}

// taps are the source indices first.. and normalised weights of one output
// pixel.
type taps struct {
	first int
	w     []float32
}

// triangleWeights gives, for each of the out pixels along an axis of in
// pixels, the triangle-filter taps. Output pixel i's centre maps to source
// coordinate (i+0.5)*in/out; the filter's half-width is 1 source pixel, or
// in/out when that is larger.
func triangleWeights(in, out int) []taps {
	scale := float64(in) / float64(out)
	support := max(scale, 1)
	t := make([]taps, out)
	for i := range t {
		center := (float64(i) + 0.5) * scale
		lo := max(int(math.Floor(center-support+0.5)), 0)
		hi := min(int(math.Floor(center+support+0.5)), in)
		w := make([]float32, 0, hi-lo)
		var sum float64
		for j := lo; j < hi; j++ {
			v := max(1-math.Abs((float64(j)+0.5-center)/support), 0)
			w = append(w, float32(v))
			sum += v
		}
		for k := range w {
			w[k] = float32(float64(w[k]) / sum)
		}
		t[i] = taps{first: lo, w: w}
	}
	return t
}

// parallelFor calls fn(i) for i in [0, n) on GOMAXPROCS goroutines.
func parallelFor(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for range workers {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

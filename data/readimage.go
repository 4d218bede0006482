package data

import (
	"bytes"
	"fmt"
)

// ReadImage decodes the PNG or JPEG file at path and converts it to c
// channels (1: gray, 3: RGB) of h×w pixels in CHW order, as a model with
// that input takes it. Errors name the file.
func ReadImage(path string, c, h, w int) ([]uint8, error) {
	if c != 1 && c != 3 {
		return nil, &UnsupportedError{File: path, Msg: "images convert to 1 or 3 channels only"}
	}
	if h <= 0 || w <= 0 || h > maxImagePixels/w {
		return nil, &UnsupportedError{File: path, Msg: fmt.Sprintf("cannot resize an image to %dx%d", h, w)}
	}
	dst := make([]uint8, c*h*w)
	if err := decodeImage(path, c, h, w, dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// DecodeImage decodes PNG or JPEG bytes (an upload, say) like ReadImage,
// naming them name in errors. The size the image header claims is checked
// against maxPixels (width×height) before the image is decoded, so a small
// file claiming a huge image is an error, not a large allocation.
func DecodeImage(name string, b []byte, c, h, w, maxPixels int) ([]uint8, error) {
	if c != 1 && c != 3 {
		return nil, &UnsupportedError{File: name, Msg: "images convert to 1 or 3 channels only"}
	}
	if h <= 0 || w <= 0 || h > maxImagePixels/w {
		return nil, &UnsupportedError{File: name, Msg: fmt.Sprintf("cannot resize an image to %dx%d", h, w)}
	}
	cfg, err := readImageConfig(name, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if cfg.Width > maxPixels/cfg.Height {
		return nil, formatErr(name, "image size %dx%d is over the %d pixels allowed", cfg.Width, cfg.Height, maxPixels)
	}
	dst := make([]uint8, c*h*w)
	if err := decodeFrom(name, bytes.NewReader(b), cfg, c, h, w, dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// LightBackground reports whether the border pixels of an h×w gray image
// are mostly light: a dark drawing on white, the opposite of MNIST's light
// digits on black. predict, serve and the dashboard invert such images.
func LightBackground(pix []uint8, h, w int) bool {
	var sum, n int
	for y := range h {
		for x := range w {
			if y == 0 || y == h-1 || x == 0 || x == w-1 {
				sum += int(pix[y*w+x])
				n++
			}
		}
	}
	return n > 0 && sum/n > 127
}

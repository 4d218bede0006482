package web

import (
	"image"
	"image/png"
	"io"

	"github.com/convnet/convnet/data"
)

// encodePNG writes test image i as a PNG: gray for one channel, RGB for
// three (other channel counts show their first channel).
func encodePNG(w io.Writer, ds *data.Dataset, i int) error {
	pix := ds.Image(i)
	hw := ds.H * ds.W
	r := image.Rect(0, 0, ds.W, ds.H)
	if ds.C != 3 {
		return png.Encode(w, &image.Gray{Pix: pix[:hw], Stride: ds.W, Rect: r})
	}
	img := image.NewRGBA(r)
	for p := range hw {
		img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = pix[p], pix[hw+p], pix[2*hw+p], 255
	}
	return png.Encode(w, img)
}

package probe

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Layout of the drawn figures, in pixels. Labels use the 7×13 fixed font
// of golang.org/x/image/font/basicfont.
const (
	pad     = 6  // around tiles and between rows
	lineH   = 13 // height of one text line
	charW   = 7  // width of one character
	barW    = 256
	barH    = 12
	minTile = 64 // tiles of activation maps are scaled up to at least this
)

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
	grey  = color.RGBA{96, 96, 96, 255}
)

func textWidth(s string) int { return len(s) * charW }

// drawText writes s with its top-left corner at (x, y).
func drawText(img draw.Image, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13,
		Dot: fixed.P(x, y+basicfont.Face7x13.Ascent)}
	d.DrawString(s)
}

func newCanvas(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	return img
}

// fillRect paints the rectangle with corner (x, y) and size w×h.
func fillRect(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h), image.NewUniform(c), image.Point{}, draw.Src)
}

// drawMap paints an h×w map at (x, y), each value a s×s block coloured
// by scale.
func drawMap(img *image.RGBA, x, y int, vals []float32, h, w, s int, scale Scale) {
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			fillRect(img, x+j*s, y+i*s, s, s, scale.Color(vals[i*w+j]))
		}
	}
}

// colourBarHeight is the space drawColourBar takes.
const colourBarHeight = barH + 2 + lineH

// drawColourBar draws the scale as a horizontal gradient barW wide at
// (x, y), labelled below with its ends and 0 when it lies between them.
func drawColourBar(img *image.RGBA, x, y int, s Scale) {
	for i := 0; i < barW; i++ {
		v := s.Min + (s.Max-s.Min)*float32(i)/float32(barW-1)
		fillRect(img, x+i, y, 1, barH, s.Color(v))
	}
	ty := y + barH + 2
	drawText(img, x, ty, s.Label(s.Min), black)
	hi := s.Label(s.Max)
	drawText(img, x+barW-textWidth(hi), ty, hi, black)
	if s.Min < 0 && s.Max > 0 {
		zero := x + int(float32(barW-1)*(-s.Min)/(s.Max-s.Min))
		drawText(img, zero-charW/2, ty, "0", black)
	}
}

// upscale is the integer factor that makes a side of n pixels at least
// target pixels long.
func upscale(n, target int) int {
	return max(1, (target+n-1)/n)
}

// unitByte maps [0,1] to 0..255, clamping; NaN becomes 0.
func unitByte(v float32) uint8 {
	if !(v > 0) {
		return 0
	}
	return uint8(math.Round(float64(min(v, 1)) * 255))
}

func rgba(c [3]uint8) color.RGBA { return color.RGBA{c[0], c[1], c[2], 255} }

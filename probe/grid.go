package probe

import (
	"fmt"
	"image"
	"math"

	"github.com/convnet/convnet/tensor"
)

// MapGrid draws one layer's output for one example: for (C,H,W) outputs a
// grid of C tiles, one per channel, each labelled "layer #channel"; for
// flat outputs (K) and 1×1 maps one cell per unit or channel. All tiles share one colour scale
// (ScaleFor of the whole layer), drawn as a bar below the grid. The title
// names the layer, its form in the model text and its shape.
func MapGrid(m *Maps) *image.RGBA {
	scale := ScaleFor(m.Data)
	title := fmt.Sprintf("%s  %s  output %s", m.Name, m.Desc, tensor.ShapeString(m.Shape))
	if !m.IsImage() || m.Shape[1]*m.Shape[2] == 1 { // flat, or 1×1 maps after global pooling
		return unitGrid(m, title, scale)
	}
	c, h, w := m.Shape[0], m.Shape[1], m.Shape[2]
	s := upscale(max(h, w), minTile)
	tileW, tileH := w*s, h*s
	label := func(i int) string { return fmt.Sprintf("%s #%d", m.Name, i) }
	cellW := max(tileW, textWidth(label(c-1))) + pad
	cellH := lineH + 2 + tileH + pad
	cols := int(math.Ceil(math.Sqrt(float64(c))))
	rows := (c + cols - 1) / cols
	footer := fmt.Sprintf("one colour scale for all %d maps of %s", c, m.Name)
	width := max(pad+cols*cellW, 2*pad+textWidth(title), 2*pad+max(barW, textWidth(footer)))
	top := pad + lineH + pad
	height := top + rows*cellH + lineH + 2 + colourBarHeight + pad
	img := newCanvas(width, height)
	drawText(img, pad, pad, title, black)
	for i := 0; i < c; i++ {
		x, y := pad+(i%cols)*cellW, top+(i/cols)*cellH
		drawText(img, x, y, label(i), grey)
		drawMap(img, x, y+lineH+2, m.Map(i), h, w, s, scale)
	}
	y := top + rows*cellH
	drawText(img, pad, y, footer, black)
	drawColourBar(img, pad, y+lineH+2, scale)
	return img
}

// unitGrid draws a flat output as rows of square cells, 32 to a row.
func unitGrid(m *Maps, title string, scale Scale) *image.RGBA {
	const cell, perRow = 14, 32
	k := len(m.Data)
	cols := min(k, perRow)
	rows := (k + cols - 1) / cols
	what := "units"
	if m.IsImage() {
		what = "channels"
	}
	footer := fmt.Sprintf("%d %s, row by row from #0; one colour scale", k, what)
	width := max(2*pad+cols*cell, 2*pad+textWidth(title), 2*pad+max(barW, textWidth(footer)))
	top := pad + lineH + pad
	height := top + rows*cell + pad + lineH + 2 + colourBarHeight + pad
	img := newCanvas(width, height)
	drawText(img, pad, pad, title, black)
	for i, v := range m.Data {
		fillRect(img, pad+(i%cols)*cell, top+(i/cols)*cell, cell-1, cell-1, scale.Color(v))
	}
	y := top + rows*cell + pad
	drawText(img, pad, y, footer, black)
	drawColourBar(img, pad, y+lineH+2, scale)
	return img
}

// InputImage draws the input as the model sees it, scaled up: grey for one
// channel, RGB for three (values in [0,1], clamped), otherwise as maps.
func InputImage(m *Maps) *image.RGBA {
	if !m.IsImage() || (m.Shape[0] != 1 && m.Shape[0] != 3) {
		return MapGrid(m)
	}
	c, h, w := m.Shape[0], m.Shape[1], m.Shape[2]
	s := upscale(max(h, w), 4*minTile)
	title := fmt.Sprintf("input %s", tensor.ShapeString(m.Shape))
	width := max(2*pad+w*s, 2*pad+textWidth(title))
	img := newCanvas(width, pad+lineH+pad+h*s+pad)
	drawText(img, pad, pad, title, black)
	hw := h * w
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			var rgb [3]uint8
			for k := range rgb {
				rgb[k] = unitByte(m.Data[min(k, c-1)*hw+i*w+j])
			}
			fillRect(img, pad+j*s, 2*pad+lineH+i*s, s, s, rgba(rgb))
		}
	}
	return img
}

// FilterGrid draws the weights of a conv layer, w of shape
// (F, C/groups, KH, KW), on one colour scale for the layer. A first layer
// that reads RGB (rgb set, 3 input channels) gets one colour tile per
// filter; one with a single input channel one grey tile per filter; deeper
// layers a grid with one row per filter and one tile per input channel
// (the first 64 of each when there are more).
func FilterGrid(name, desc string, w *tensor.Tensor, rgb bool) *image.RGBA {
	f, c, kh, kw := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	title := fmt.Sprintf("%s  %s  filters %s", name, desc, tensor.ShapeString(w.Shape))
	if c == 1 || (c == 3 && rgb) {
		return filterTiles(name, title, w, c == 3)
	}
	const maxShown = 64
	rowsShown, colsShown := min(f, maxShown), min(c, maxShown)
	if rowsShown < f || colsShown < c {
		title += fmt.Sprintf(", first %d filters x %d channels shown", rowsShown, colsShown)
	}
	scale := ScaleFor(w.Data)
	scale.Palette = CoolWarm
	m := max(-scale.Min, scale.Max)
	scale.Min, scale.Max = -m, m
	s := upscale(max(kh, kw), 24)
	cellW, cellH := max(kw*s, textWidth(fmt.Sprint(colsShown-1)))+2, kh*s+2
	left := pad + textWidth(fmt.Sprintf("#%d ", rowsShown-1))
	top := pad + lineH + pad + lineH + 2 + lineH + 2
	footer := "rows: filters; columns: input channels; one colour scale (blue < 0 < red)"
	width := max(left+colsShown*cellW+pad, 2*pad+textWidth(title), 2*pad+max(barW, textWidth(footer)))
	height := top + rowsShown*cellH + pad + lineH + 2 + colourBarHeight + pad
	img := newCanvas(width, height)
	drawText(img, pad, pad, title, black)
	drawText(img, left, pad+lineH+pad, "input channel", grey)
	for j := 0; j < colsShown; j++ {
		drawText(img, left+j*cellW, top-lineH-2, fmt.Sprint(j), grey)
	}
	per := kh * kw
	for i := 0; i < rowsShown; i++ {
		drawText(img, pad, top+i*cellH+(kh*s-lineH)/2, fmt.Sprintf("#%d", i), grey)
		for j := 0; j < colsShown; j++ {
			off := (i*c + j) * per
			drawMap(img, left+j*cellW, top+i*cellH, w.Data[off:off+per], kh, kw, s, scale)
		}
	}
	y := top + rowsShown*cellH + pad
	drawText(img, pad, y, footer, black)
	drawColourBar(img, pad, y+lineH+2, scale)
	return img
}

// filterTiles draws one tile per filter of a first layer, grey or RGB.
func filterTiles(name, title string, w *tensor.Tensor, colour bool) *image.RGBA {
	f, c, kh, kw := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	scale := ScaleFor(w.Data)
	scale.Palette = Grey
	s := upscale(max(kh, kw), minTile)
	label := func(i int) string { return fmt.Sprintf("%s #%d", name, i) }
	cellW := max(kw*s, textWidth(label(f-1))) + pad
	cellH := lineH + 2 + kh*s + pad
	cols := int(math.Ceil(math.Sqrt(float64(f))))
	rows := (f + cols - 1) / cols
	footer := "one grey scale for all filters"
	if colour {
		footer = "each colour channel on the same scale, shared by all filters"
	}
	width := max(pad+cols*cellW, 2*pad+textWidth(title), 2*pad+max(barW, textWidth(footer)))
	top := pad + lineH + pad
	height := top + rows*cellH + lineH + 2 + colourBarHeight + pad
	img := newCanvas(width, height)
	drawText(img, pad, pad, title, black)
	per := kh * kw
	span := scale.Max - scale.Min
	if span <= 0 {
		span = 1
	}
	for i := 0; i < f; i++ {
		x, y := pad+(i%cols)*cellW, top+(i/cols)*cellH
		drawText(img, x, y, label(i), grey)
		y += lineH + 2
		for p := 0; p < per; p++ {
			var rgb [3]uint8
			for k := range rgb {
				rgb[k] = unitByte((w.Data[(i*c+min(k, c-1))*per+p] - scale.Min) / span)
			}
			fillRect(img, x+(p%kw)*s, y+(p/kw)*s, s, s, rgba(rgb))
		}
	}
	y := top + rows*cellH
	drawText(img, pad, y, footer, black)
	drawColourBar(img, pad, y+lineH+2, scale)
	return img
}

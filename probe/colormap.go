package probe

import (
	"fmt"
	"image/color"
	"math"
)

// Palette names a colour map.
type Palette int

const (
	// Viridis runs dark purple (low) through green to yellow (high); it is
	// perceptually uniform and readable in grey, for values of one sign.
	Viridis Palette = iota
	// CoolWarm runs blue (negative) through white (0) to red (positive),
	// for values of both signs (Moreland 2009).
	CoolWarm
	// Grey runs black (low) to white (high).
	Grey
	// Inferno runs black through red and orange to light yellow, for
	// heatmaps laid over an image.
	Inferno
)

// Control points of the palettes, evenly spaced on [0,1], taken from
// matplotlib's viridis and inferno and Moreland's cool-warm.
var palettes = map[Palette][]color.RGBA{
	Viridis: {
		{68, 1, 84, 255}, {72, 40, 120, 255}, {62, 74, 137, 255}, {49, 104, 142, 255}, {38, 130, 142, 255},
		{31, 158, 137, 255}, {53, 183, 121, 255}, {109, 205, 89, 255}, {180, 222, 44, 255}, {253, 231, 37, 255},
	},
	CoolWarm: {
		{59, 76, 192, 255}, {98, 130, 234, 255}, {141, 176, 254, 255}, {184, 208, 249, 255}, {221, 221, 221, 255},
		{245, 196, 173, 255}, {244, 154, 123, 255}, {222, 96, 77, 255}, {180, 4, 38, 255},
	},
	Grey: {{0, 0, 0, 255}, {255, 255, 255, 255}},
	Inferno: {
		{0, 0, 4, 255}, {40, 11, 84, 255}, {101, 21, 110, 255}, {159, 42, 99, 255}, {212, 72, 66, 255},
		{245, 125, 21, 255}, {250, 193, 39, 255}, {252, 255, 164, 255},
	},
}

// At returns the palette's colour at t in [0,1] (clamped), interpolating
// linearly between control points.
func (p Palette) At(t float64) color.RGBA {
	pts := palettes[p]
	if !(t > 0) { // also NaN
		t = 0
	}
	t = min(t, 1) * float64(len(pts)-1)
	i := min(int(t), len(pts)-2)
	f := t - float64(i)
	a, b := pts[i], pts[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// NaNColor marks values that are NaN or infinite: magenta, in no palette.
var NaNColor = color.RGBA{255, 0, 255, 255}

// Scale maps values to colours: [Min, Max] onto a palette. A diverging
// scale (CoolWarm) is symmetric about 0 so that white is exactly 0.
type Scale struct {
	Min, Max float32
	Palette  Palette
}

// ScaleFor picks the scale for a set of values: CoolWarm, symmetric about
// 0, when they take both signs; Viridis from their minimum to their maximum
// otherwise. Non-finite values are ignored.
func ScaleFor(vals ...[]float32) Scale {
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for _, vs := range vals {
		for _, v := range vs {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi { // nothing finite
		return Scale{0, 1, Viridis}
	}
	if lo < 0 && hi > 0 {
		m := max(-lo, hi)
		return Scale{-m, m, CoolWarm}
	}
	return Scale{lo, hi, Viridis}
}

// Color returns the colour of v.
func (s Scale) Color(v float32) color.RGBA {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return NaNColor
	}
	if s.Max <= s.Min {
		return s.Palette.At(0.5)
	}
	return s.Palette.At(float64(v-s.Min) / float64(s.Max-s.Min))
}

// Label formats a value of the scale for its colour bar.
func (s Scale) Label(v float32) string {
	return formatValue(float64(v))
}

// formatValue prints a number in at most 8 characters: 0.25, -1.3e-05, 1234.
func formatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e4 || a < 1e-3:
		return fmt.Sprintf("%.2g", v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

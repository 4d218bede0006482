package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/convnet/convnet/internal/atomicfile"
	"github.com/convnet/convnet/nn"
)

// activationColors keep one colour per activation across every plot.
var activationColors = map[string]color.RGBA{
	"relu": {31, 119, 180, 255}, "sigmoid": {214, 39, 40, 255}, "tanh": {44, 160, 44, 255}, "leakyrelu": {255, 127, 14, 255},
	"elu": {148, 103, 189, 255}, "selu": {140, 86, 75, 255}, "gelu": {227, 119, 194, 255}, "silu": {23, 190, 207, 255},
}

func activationColor(act string) color.RGBA {
	if c, ok := activationColors[act]; ok {
		return c
	}
	return color.RGBA{127, 127, 127, 255}
}

// savePlots draws plots side by side, each w×h, into a PNG at path.
func savePlots(path string, w, h vg.Length, plots ...*plot.Plot) error {
	img := vgimg.NewWith(vgimg.UseWH(w*vg.Length(len(plots)), h), vgimg.UseDPI(96))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	for i, p := range plots {
		p.Draw(tiles.At(dc, i, 0))
	}
	return atomicfile.Write(path, 0o644, func(wr io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(wr)
		return err
	})
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// percentTicks label a log axis of fractions at readable points.
func percentTicks(lo float64) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for _, v := range []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1} {
		if v >= lo*0.999 {
			ts = append(ts, plot.Tick{Value: v, Label: strings.TrimSuffix(fmt.Sprintf("%g", 100*v), ".0") + "%"})
		}
	}
	return ts
}

// decadeTicks label every power of ten from lo to hi: 1e-06, 0.001, 1, 10.
func decadeTicks(lo, hi float64) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for e := math.Round(math.Log10(lo)); e <= math.Round(math.Log10(hi)); e++ {
		v := math.Pow(10, e)
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
	}
	return ts
}

// plotTrainingError: running training error against step, log scale,
// with the thresholds as dashed lines.
func plotTrainingError(path string, res *compareResult) error {
	// Short y labels on log axes: gonum centres them on the arithmetic
	// mean of the range, near the top, and pads the plot to fit them.
	p := newPlot(fmt.Sprintf("Running training error (mean of the last %d steps), log scale", res.Window), "step", "error")
	lo := 1.0
	for _, r := range res.Runs {
		for _, v := range r.Running {
			if v > 0 {
				lo = min(lo, v)
			}
		}
	}
	for _, t := range res.Thresholds {
		lo = min(lo, t)
	}
	lo = max(math.Pow(10, math.Floor(math.Log10(lo))), 1e-3)
	p.Legend.Top, p.Legend.Left = false, true
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = percentTicks(lo)
	p.Y.Min, p.Y.Max = lo, 1
	p.X.Min, p.X.Max = 0, float64(res.Steps)
	for _, t := range res.Thresholds {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: t}, {X: float64(res.Steps), Y: t}})
		if err != nil {
			return err
		}
		l.Color = color.RGBA{120, 120, 120, 255}
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
	}
	for _, r := range res.Runs {
		xy := make(plotter.XYs, 0, len(r.Running))
		for i, v := range r.Running {
			xy = append(xy, plotter.XY{X: float64(i + 1), Y: max(v, lo)})
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = activationColor(r.Activation)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(r.Activation, l)
	}
	return savePlots(path, 8*vg.Inch, 4.5*vg.Inch, p)
}

// plotGradFlow: per-layer weight-gradient norm, at initialisation and
// after training, one line per activation, on one log scale.
func plotGradFlow(path, what string, res *compareResult, get func(*compareRun) *netRun) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	var layers []string
	for _, r := range res.Runs {
		n := get(r)
		for _, ns := range [][]layerNorm{n.GradInit, n.GradAfter} {
			for _, l := range ns {
				if l.Norm > 0 {
					lo, hi = min(lo, l.Norm), max(hi, l.Norm)
				}
			}
		}
		if len(n.GradInit) > len(layers) {
			layers = layers[:0]
			for _, l := range n.GradInit {
				layers = append(layers, l.Layer)
			}
		}
	}
	if lo > hi {
		lo, hi = 1e-8, 1
	}
	var plots []*plot.Plot
	for _, panel := range []string{"at initialisation", "after training"} {
		p := newPlot(what+": weight-gradient L2 norm, "+panel, "layer (input side on the left)", "norm (log)")
		p.Y.Scale = plot.LogScale{}
		p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
		p.Y.Tick.Marker = decadeTicks(p.Y.Min, p.Y.Max)
		p.Legend.Top = false // the input side of a vanishing net sits low on the left
		var ticks plot.ConstantTicks
		for i, name := range layers {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: name})
		}
		p.X.Tick.Marker = ticks
		p.X.Min, p.X.Max = -0.3, float64(len(layers))-0.7
		if len(layers) > 6 {
			p.X.Tick.Label.Rotation = math.Pi / 4
			p.X.Tick.Label.XAlign = draw.XRight
		}
		for _, r := range res.Runs {
			ns := get(r).GradInit
			if panel == "after training" {
				ns = get(r).GradAfter
			}
			var xy plotter.XYs
			for i, l := range ns {
				if l.Norm > 0 { // a log scale cannot show 0
					xy = append(xy, plotter.XY{X: float64(i), Y: l.Norm})
				}
			}
			if len(xy) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return err
			}
			l.Color, pts.Color = activationColor(r.Activation), activationColor(r.Activation)
			l.Width = vg.Points(1.5)
			pts.Shape = draw.CircleGlyph{}
			p.Add(l, pts)
			p.Legend.Add(r.Activation, l, pts)
		}
		plots = append(plots, p)
	}
	return savePlots(path, 6*vg.Inch, 4.5*vg.Inch, plots...)
}

// activationLayers lists, for the health of one run, the activation
// layers with the weighted layer each follows.
func activationLayers(r *compareRun) (labels []string, sparsity, dead []float64) {
	for _, l := range r.Health.Layers {
		if nn.IsActivation(l.Type) && l.Type != "softmax" {
			labels = append(labels, "after "+l.After)
			sparsity = append(sparsity, l.Sparsity)
			dead = append(dead, l.DeadFraction)
		}
	}
	return labels, sparsity, dead
}

// groupedBars adds one bar per series to each group, side by side, each
// with its value printed above it by label (so that zero bars show too).
func groupedBars(p *plot.Plot, groups []string, series []string, values [][]float64, colors []color.Color, label func(float64) string) error {
	const width = 16
	n := len(series)
	for i, vals := range values {
		b, err := plotter.NewBarChart(plotter.Values(vals), vg.Points(width))
		if err != nil {
			return err
		}
		b.Color = colors[i]
		b.LineStyle.Width = 0
		b.Offset = vg.Points(width * (float64(i) - float64(n-1)/2))
		p.Add(b)
		p.Legend.Add(series[i], b)
		xyl := plotter.XYLabels{XYs: make(plotter.XYs, len(vals)), Labels: make([]string, len(vals))}
		for g, v := range vals {
			xyl.XYs[g] = plotter.XY{X: float64(g), Y: v}
			xyl.Labels[g] = label(v)
		}
		l, err := plotter.NewLabels(xyl)
		if err != nil {
			return err
		}
		for k := range l.TextStyle {
			l.TextStyle[k].Font.Size = vg.Points(7)
			l.TextStyle[k].XAlign = draw.XCenter
		}
		l.Offset = vg.Point{X: b.Offset, Y: vg.Points(2)}
		p.Add(l)
	}
	p.NominalX(groups...)
	return nil
}

// headroom raises the top of a bar plot's y axis above its tallest bar,
// so that the legend in the top right corner covers no bar, and keeps
// ticks only up to top when top is a natural limit (1, 100%).
func headroom(p *plot.Plot, values [][]float64, top float64) {
	hi := 0.0
	for _, vs := range values {
		for _, v := range vs {
			hi = max(hi, v)
		}
	}
	if top > 0 {
		hi = top
		var ticks plot.ConstantTicks
		for i := 0; i <= 4; i++ {
			v := top * float64(i) / 4
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		}
		p.Y.Tick.Marker = ticks
	}
	p.Y.Min, p.Y.Max = 0, 1.35*hi
}

func percentLabel(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// plotSparsity: sparsity and dead fraction of every activation layer, one
// bar per activation.
func plotSparsity(path string, res *compareResult) error {
	var groups, series []string
	var sp, dd [][]float64
	var colors []color.Color
	for _, r := range res.Runs {
		labels, s, d := activationLayers(r)
		if len(labels) > len(groups) {
			groups = labels
		}
		series = append(series, r.Activation)
		sp, dd = append(sp, s), append(dd, d)
		colors = append(colors, activationColor(r.Activation))
	}
	var plots []*plot.Plot
	for _, panel := range []struct {
		title string
		vals  [][]float64
	}{
		{"Sparsity: fraction of outputs exactly 0", sp},
		{"Dead units: zero for every example of the sample", dd},
	} {
		p := newPlot(panel.title, "activation layer", "fraction")
		headroom(p, panel.vals, 1)
		if err := groupedBars(p, groups, series, panel.vals, colors, percentLabel); err != nil {
			return err
		}
		plots = append(plots, p)
	}
	return savePlots(path, 6*vg.Inch, 4*vg.Inch, plots...)
}

// plotCost: ns per element of each activation's forward and backward.
func plotCost(path string, res *compareResult) error {
	p := newPlot(fmt.Sprintf("Cost per element, the engine's kernels (%d threads)", res.Threads), "activation", "ns per element")
	var groups []string
	fwd, bwd := make([]float64, 0), make([]float64, 0)
	for _, r := range res.Runs {
		groups = append(groups, r.Activation)
		fwd = append(fwd, r.Cost.ForwardNs)
		bwd = append(bwd, r.Cost.BackwardNs)
	}
	headroom(p, [][]float64{fwd, bwd}, 0)
	err := groupedBars(p, groups, []string{"forward", "backward"}, [][]float64{fwd, bwd},
		[]color.Color{color.RGBA{70, 110, 170, 255}, color.RGBA{230, 150, 60, 255}}, func(v float64) string { return fmt.Sprintf("%.2g", v) })
	if err != nil {
		return err
	}
	return savePlots(path, 6*vg.Inch, 4*vg.Inch, p)
}

// plotOutcome: test accuracy and training time per activation, for the
// model and the deep net.
func plotOutcome(path string, res *compareResult) error {
	var groups []string
	acc, deepAcc, tm, deepTm := []float64{}, []float64{}, []float64{}, []float64{}
	for _, r := range res.Runs {
		groups = append(groups, r.Activation)
		acc = append(acc, 100*r.Model.TestAcc)
		tm = append(tm, r.Model.TrainTime)
		if r.Deep != nil {
			deepAcc = append(deepAcc, 100*r.Deep.TestAcc)
			deepTm = append(deepTm, r.Deep.TrainTime)
		}
	}
	series := []string{"model"}
	accs, tms := [][]float64{acc}, [][]float64{tm}
	colors := []color.Color{color.RGBA{70, 110, 170, 255}}
	if len(deepAcc) > 0 {
		series = append(series, "deep plain net")
		accs, tms = append(accs, deepAcc), append(tms, deepTm)
		colors = append(colors, color.RGBA{160, 160, 160, 255})
	}
	pa := newPlot("Test accuracy after training", "activation", "test accuracy (%)")
	headroom(pa, accs, 100)
	if err := groupedBars(pa, groups, series, accs, colors, func(v float64) string { return fmt.Sprintf("%.1f", v) }); err != nil {
		return err
	}
	pt := newPlot("Training wall time", "activation", "seconds")
	headroom(pt, tms, 0)
	if err := groupedBars(pt, groups, series, tms, colors, func(v float64) string { return fmt.Sprintf("%.0f s", v) }); err != nil {
		return err
	}
	return savePlots(path, 5*vg.Inch, 4*vg.Inch, pa, pt)
}

package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/internal/atomicfile"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/probe"
	"github.com/convnet/convnet/tensor"
)

func runInspect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("inspect", "--model PATH --image FILE --out DIR [--class K]",
		"Looks inside a model for one image and writes to DIR: the input as the model sees it; for every conv,\n"+
			"activation and pooling layer a PNG of its activation maps (one tile per filter, one colour scale per\n"+
			"layer, shown below the tiles); the filters of every conv layer; the top-5 prediction; a gradient\n"+
			"saliency map and Grad-CAM on the last conv layer; and index.html showing them in order.", stdout)
	model := fs.String("model", "model.onnx", "saved model (ONNX or a native checkpoint)")
	imagePath := fs.String("image", "", "PNG or JPEG image to look at")
	out := fs.String("out", "inspect", "folder to write into (created if missing)")
	class := fs.String("class", "", "class to explain in the saliency maps, by index or name (default: the predicted one)")
	invert := fs.String("invert", "auto", "invert gray images: auto (when the background is light), yes or no")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if *imagePath == "" {
		return usageError{"--image is required"}
	}
	if *invert != "auto" && *invert != "yes" && *invert != "no" {
		return usageError{"--invert takes auto, yes or no"}
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	if len(m.Input) != 3 {
		return fmt.Errorf("%s does not take images (its input is %s)", *model, tensor.ShapeString(m.Input))
	}
	classIdx := -1
	if *class != "" {
		if classIdx, err = parseClass(*class, m); err != nil {
			return usageError{err.Error()}
		}
	}
	x, inverted, err := readModelImage(*imagePath, m, *invert)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", *out, err)
	}
	page, err := inspectImage(m, x, classIdx, *out)
	if err != nil {
		return err
	}
	page.Model, page.Image, page.Inverted, page.Command = *model, *imagePath, inverted, commandLine("inspect", args)
	if err := writeJSONFile(filepath.Join(*out, "predictions.json"), page.Top); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(*out, "index.html"), 0o644, func(w io.Writer) error {
		return inspectPage.Execute(w, page)
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ", *imagePath)
	for i, c := range page.Top {
		if i > 0 {
			fmt.Fprint(stdout, ", ")
		}
		fmt.Fprintf(stdout, "%s %.1f%%", c.Name, 100*c.Prob)
	}
	fmt.Fprintf(stdout, "\nwrote %d images and index.html to %s\n", page.images, *out)
	return nil
}

// parseClass reads --class as an index or a class name.
func parseClass(s string, m *nn.Model) (int, error) {
	for i, name := range m.Classes {
		if name == s {
			return i, nil
		}
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < 0 || k >= len(m.Classes) {
		return 0, fmt.Errorf("--class %q is neither a class name nor an index below %d", s, len(m.Classes))
	}
	return k, nil
}

// readModelImage reads an image file as the model's input: converted to
// its channels and size, pixels/255, gray images inverted as --invert says.
func readModelImage(path string, m *nn.Model, invert string) ([]float32, bool, error) {
	c, h, w := m.Input[0], m.Input[1], m.Input[2]
	pix, err := data.ReadImage(path, c, h, w)
	if err != nil {
		return nil, false, err
	}
	inverted := c == 1 && (invert == "yes" || invert == "auto" && data.LightBackground(pix, h, w))
	x := make([]float32, len(pix))
	for i, v := range pix {
		if inverted {
			v = 255 - v
		}
		x[i] = float32(v) / 255
	}
	return x, inverted, nil
}

// inspectFigure is one image of the page.
type inspectFigure struct {
	File    string
	Caption string
}

// inspectLayer is one layer's section of the page.
type inspectLayer struct {
	Name, Desc, Shape string
	Maps              *inspectFigure
	Filters           *inspectFigure
}

type inspectData struct {
	Model, Image string
	Command      string
	Inverted     bool
	Top          []probe.Class
	Input        inspectFigure
	Layers       []inspectLayer
	Saliency     []inspectFigure
	images       int
}

// inspectImage records a forward pass, draws everything into dir and
// returns what the page shows.
func inspectImage(m *nn.Model, x []float32, class int, dir string) (*inspectData, error) {
	rec := probe.Record(m, x)
	d := &inspectData{Top: rec.Top(5, m.Classes)}
	save := func(name string, img image.Image) error {
		d.images++
		return writePNG(filepath.Join(dir, name), img)
	}
	d.Input = inspectFigure{"input.png", "the input as the model sees it"}
	if err := save(d.Input.File, probe.InputImage(&rec.Input)); err != nil {
		return nil, err
	}
	firstConv := true
	for i := range rec.Layers {
		l := &rec.Layers[i]
		node := m.Graph.Node(l.Name)
		sec := inspectLayer{Name: l.Name, Desc: l.Desc, Shape: tensor.ShapeString(l.Shape)}
		if probe.ShowsMaps(l.Type) {
			f := &inspectFigure{fmt.Sprintf("%02d-%s.png", i+1, l.Name), fmt.Sprintf("activation maps of %s", l.Name)}
			if err := save(f.File, probe.MapGrid(l)); err != nil {
				return nil, err
			}
			sec.Maps = f
		}
		if conv, ok := node.Layer.(*nn.Conv2D); ok {
			f := &inspectFigure{fmt.Sprintf("%02d-%s-filters.png", i+1, l.Name), fmt.Sprintf("filters of %s", l.Name)}
			rgb := firstConv && node.Inputs[0] == m.Graph.Input()
			if err := save(f.File, probe.FilterGrid(l.Name, l.Desc, conv.W.Value, rgb)); err != nil {
				return nil, err
			}
			sec.Filters = f
			firstConv = false
		}
		d.Layers = append(d.Layers, sec)
	}
	className := func(k int) string {
		if k < len(m.Classes) {
			return m.Classes[k]
		}
		return fmt.Sprint(k)
	}
	sal, err := probe.Saliency(m, x, class)
	if err != nil {
		return nil, err
	}
	f := inspectFigure{"saliency.png", fmt.Sprintf("gradient saliency |d score(%s) / d input|, largest over channels", className(sal.Class))}
	if err := save(f.File, probe.HeatmapImage("saliency for class "+className(sal.Class)+" (Simonyan et al. 2014)", &rec.Input, sal)); err != nil {
		return nil, err
	}
	d.Saliency = append(d.Saliency, f)
	if probe.GradCAMLayer(m.Graph) != nil {
		cam, err := probe.GradCAM(m, x, class)
		if err != nil {
			return nil, err
		}
		f := inspectFigure{"gradcam.png", fmt.Sprintf("Grad-CAM for class %s on %s, resized to the input", className(cam.Class), cam.Layer)}
		if err := save(f.File, probe.HeatmapImage("Grad-CAM for class "+className(cam.Class)+" on "+cam.Layer+" (Selvaraju et al. 2017)", &rec.Input, cam)); err != nil {
			return nil, err
		}
		d.Saliency = append(d.Saliency, f)
	}
	return d, nil
}

func writePNG(path string, img image.Image) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return png.Encode(w, img) })
}

func writeJSONFile(path string, v any) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

var inspectPage = template.Must(template.New("inspect").Funcs(template.FuncMap{
	"pct": func(p float64) string { return fmt.Sprintf("%.2f%%", 100*p) },
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>convnet inspect: {{.Image}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; border-top: 1px solid #ddd; padding-top: 1em; }
code { background: #f3f3f3; padding: 0 .3em; }
table { border-collapse: collapse; } td, th { padding: .2em .8em; text-align: left; border-bottom: 1px solid #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { display: inline-block; margin: .5em 1em .5em 0; vertical-align: top; }
figcaption { font-size: .9em; color: #555; }
img { image-rendering: pixelated; max-width: 100%; }
nav a { margin-right: .8em; }
</style>
</head>
<body>
<h1>What <code>{{.Model}}</code> sees in <code>{{.Image}}</code></h1>
<p>Made with <code>{{.Command}}</code></p>
<nav><a href="#prediction">prediction</a><a href="#input">input</a>{{range .Layers}}<a href="#{{.Name}}">{{.Name}}</a>{{end}}<a href="#saliency">saliency</a></nav>

<h2 id="prediction">Top-{{len .Top}} prediction</h2>
<table><tr><th>#</th><th>class</th><th>probability</th></tr>
{{range $i, $c := .Top}}<tr><td>{{inc $i}}</td><td>{{$c.Name}}</td><td class="num">{{pct $c.Prob}}</td></tr>
{{end}}</table>

<h2 id="input">Input</h2>
<figure><img src="{{.Input.File}}" alt="{{.Input.Caption}}"><figcaption>{{.Input.Caption}}{{if .Inverted}} (inverted: the image has a light background, the model was trained on light-on-dark){{end}}</figcaption></figure>

{{range .Layers}}<h2 id="{{.Name}}">{{.Name}} <code>{{.Desc}}</code> output {{.Shape}}</h2>
{{if .Maps}}<figure><img src="{{.Maps.File}}" alt="{{.Maps.Caption}}"><figcaption>{{.Maps.Caption}}: one tile per channel, one colour scale for the layer (bar below the tiles)</figcaption></figure>
{{end}}{{if .Filters}}<figure><img src="{{.Filters.File}}" alt="{{.Filters.Caption}}"><figcaption>{{.Filters.Caption}}</figcaption></figure>
{{end}}{{if not (or .Maps .Filters)}}<p>(no maps drawn for this layer)</p>
{{end}}{{end}}
<h2 id="saliency">Where the model looked</h2>
{{range .Saliency}}<figure><img src="{{.File}}" alt="{{.Caption}}"><figcaption>{{.Caption}}</figcaption></figure>
{{end}}
</body>
</html>
`))

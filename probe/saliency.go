package probe

import (
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// Attribution says how much each input pixel mattered for one class score.
type Attribution struct {
	Class int       // the class explained
	Layer string    // the node Grad-CAM used; "input" for a gradient map
	H, W  int       // the input's height and width
	Map   []float32 // H×W values in [0,1], 1 the most important pixel
}

// backwardFromClass runs m on one example in inference mode and
// backpropagates the score of class (the predicted class when class < 0):
// the output node's value, i.e. the logit, or the probability when the
// model ends in softmax. It returns the class used. It overwrites the
// parameters' gradients and every node's Grad.
func backwardFromClass(m *nn.Model, x []float32, class int, inputGrad bool) (int, error) {
	g := m.Graph
	in := g.InputShape()
	if len(x) != tensor.Size(in) {
		return 0, fmt.Errorf("probe: %d values do not fill the input %s", len(x), tensor.ShapeString(in))
	}
	xt := tensor.FromData(append([]float32(nil), x...), append([]int{1}, in...)...)
	out := g.Forward(xt, false)
	if len(out.Shape) != 2 {
		return 0, errors.New("probe: the model's output is not one score per class")
	}
	k := out.Shape[1]
	if class < 0 {
		class = 0
		for i, v := range out.Data {
			if v > out.Data[class] {
				class = i
			}
		}
	}
	if class >= k {
		return 0, fmt.Errorf("probe: class %d out of range: the model has %d classes", class, k)
	}
	d := tensor.New(1, k)
	d.Data[class] = 1
	prev := g.InputGrad
	g.InputGrad = inputGrad
	g.Backward(d)
	g.InputGrad = prev
	return class, nil
}

// Saliency is the gradient map of Simonyan, Vedaldi and Zisserman 2014
// ("Deep Inside Convolutional Networks"): |∂score/∂x| at every pixel, the
// largest over the colour channels, divided by its maximum. x is one
// example of the model's input shape; class < 0 picks the predicted class.
// It overwrites the parameters' gradients: do not call it between a
// training step's Backward and its optimizer step.
func Saliency(m *nn.Model, x []float32, class int) (*Attribution, error) {
	class, err := backwardFromClass(m, x, class, true)
	if err != nil {
		return nil, err
	}
	in := m.Graph.InputShape()
	if len(in) != 3 {
		return nil, errors.New("probe: saliency needs image inputs (C,H,W)")
	}
	c, h, w := in[0], in[1], in[2]
	grad := m.Graph.Input().Grad.Data
	a := &Attribution{Class: class, Layer: "input", H: h, W: w, Map: make([]float32, h*w)}
	for ch := 0; ch < c; ch++ {
		for i, v := range grad[ch*h*w : (ch+1)*h*w] {
			a.Map[i] = max(a.Map[i], float32(math.Abs(float64(v))))
		}
	}
	normalize(a.Map)
	return a, nil
}

// GradCAMLayer is the node Grad-CAM looks at: the last conv layer's
// rectified features, that is the activation that follows it, through a
// batch norm if there is one (conv batchnorm relu), or the conv layer itself
// when no activation follows. It is nil for a model without conv layers.
func GradCAMLayer(g *nn.Graph) *nn.Node {
	var conv *nn.Node
	for _, n := range g.Nodes[1:] {
		if n.Layer.Type() == "conv" {
			conv = n
		}
	}
	if conv == nil {
		return nil
	}
	next := func(n *nn.Node) *nn.Node {
		for _, m := range g.Nodes[1:] {
			if len(m.Inputs) == 1 && m.Inputs[0] == n {
				return m
			}
		}
		return nil
	}
	n := next(conv)
	if n != nil && n.Layer.Type() == "batchnorm" {
		n = next(n)
	}
	if n != nil && nn.IsActivation(n.Layer.Type()) && n.Layer.Type() != "softmax" {
		return n
	}
	return conv
}

// GradCAM is the class activation map of Selvaraju et al. 2017
// ("Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
// Localization") on GradCAMLayer: with A the layer's maps (F,h,w) and
// α_f the mean over positions of ∂score/∂A_f, it is ReLU(Σ_f α_f A_f),
// resized bilinearly to the input and divided by its maximum. class < 0
// picks the predicted class. Like Saliency, it overwrites the parameters'
// gradients.
func GradCAM(m *nn.Model, x []float32, class int) (*Attribution, error) {
	node := GradCAMLayer(m.Graph)
	if node == nil {
		return nil, errors.New("probe: Grad-CAM needs a conv layer, and the model has none")
	}
	class, err := backwardFromClass(m, x, class, false)
	if err != nil {
		return nil, err
	}
	f, h, w := node.Shape[0], node.Shape[1], node.Shape[2]
	hw := h * w
	cam := make([]float32, hw)
	for ch := 0; ch < f; ch++ {
		var alpha float64
		for _, v := range node.Grad.Data[ch*hw : (ch+1)*hw] {
			alpha += float64(v)
		}
		alpha /= float64(hw)
		for i, v := range node.Out.Data[ch*hw : (ch+1)*hw] {
			cam[i] += float32(alpha) * v
		}
	}
	for i, v := range cam {
		cam[i] = max(v, 0)
	}
	in := m.Graph.InputShape()
	a := &Attribution{Class: class, Layer: node.Name, H: in[1], W: in[2]}
	a.Map = resizeBilinear(cam, h, w, a.H, a.W)
	normalize(a.Map)
	return a, nil
}

// normalize divides v by its maximum, when that is positive.
func normalize(v []float32) {
	var m float32
	for _, x := range v {
		m = max(m, x)
	}
	if m > 0 {
		for i := range v {
			v[i] /= m
		}
	}
}

// resizeBilinear resamples an h×w map to oh×ow with pixel centres aligned
// (PyTorch's interpolate with align_corners=False).
func resizeBilinear(src []float32, h, w, oh, ow int) []float32 {
	dst := make([]float32, oh*ow)
	coord := func(o, in, out int) (int, int, float32) {
		p := (float32(o)+0.5)*float32(in)/float32(out) - 0.5
		p = max(p, 0)
		i0 := min(int(p), in-1)
		i1 := min(i0+1, in-1)
		return i0, i1, p - float32(i0)
	}
	for y := 0; y < oh; y++ {
		y0, y1, fy := coord(y, h, oh)
		for x := 0; x < ow; x++ {
			x0, x1, fx := coord(x, w, ow)
			top := src[y0*w+x0]*(1-fx) + src[y0*w+x1]*fx
			bot := src[y1*w+x0]*(1-fx) + src[y1*w+x1]*fx
			dst[y*ow+x] = top*(1-fy) + bot*fy
		}
	}
	return dst
}

// HeatmapImage draws an attribution next to the input: the input, the map
// on the Inferno scale, and the map laid over the input in grey at half
// opacity, with the scale below. title says what is shown.
func HeatmapImage(title string, input *Maps, a *Attribution) *image.RGBA {
	h, w := a.H, a.W
	s := upscale(max(h, w), 3*minTile)
	tw, th := w*s, h*s
	panels := []string{"input", "map", "map over input"}
	scale := Scale{0, 1, Inferno}
	width := max(pad+3*(tw+pad), 2*pad+textWidth(title), 2*pad+barW)
	top := pad + lineH + pad + lineH + 2
	img := newCanvas(width, top+th+pad+colourBarHeight+pad)
	drawText(img, pad, pad, title, black)
	c := 1
	if input.IsImage() {
		c = input.Shape[0]
	}
	hw := h * w
	for p, name := range panels {
		x0 := pad + p*(tw+pad)
		drawText(img, x0, top-lineH-2, name, grey)
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				var rgb [3]uint8
				for k := range rgb {
					rgb[k] = unitByte(input.Data[min(k, c-1)*hw+i*w+j])
				}
				heat := scale.Color(a.Map[i*w+j])
				var col [3]uint8
				switch p {
				case 0:
					col = rgb
				case 1:
					col = [3]uint8{heat.R, heat.G, heat.B}
				default:
					luma := (299*int(rgb[0]) + 587*int(rgb[1]) + 114*int(rgb[2])) / 1000
					col = [3]uint8{uint8((luma + int(heat.R)) / 2), uint8((luma + int(heat.G)) / 2), uint8((luma + int(heat.B)) / 2)}
				}
				fillRect(img, x0+j*s, top+i*s, s, s, rgba(col))
			}
		}
	}
	drawColourBar(img, pad, top+th+pad, scale)
	return img
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/convnet/convnet/data"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// prediction is one image's top classes, as --json prints it.
type prediction struct {
	Image    string       `json:"image"`
	Inverted bool         `json:"inverted,omitempty"`
	Top      []classScore `json:"top"`
}

type classScore struct {
	Class string  `json:"class"`
	Index int     `json:"index"`
	Prob  float64 `json:"probability"`
}

func runPredict(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("predict", "--model PATH [--top K] IMAGE...", "Prints the top classes of PNG or JPEG images, converted to the model's input (gray or RGB, resized).", stdout)
	model := fs.String("model", "model.onnx", "saved model (ONNX or a native checkpoint)")
	top := fs.Int("top", 3, "how many classes to print per image")
	invert := fs.String("invert", "auto", "invert gray images: auto (when the background is light, as in a digit drawn dark on white; MNIST digits are light on dark), yes or no")
	asJSON := fs.Bool("json", false, "print one JSON object per image")
	images, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(images) == 0 {
		return usageError{"no images given"}
	}
	if *top < 1 {
		return usageError{"--top must be at least 1"}
	}
	if *invert != "auto" && *invert != "yes" && *invert != "no" {
		return usageError{"--invert takes auto, yes or no"}
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	c, h, w := m.Input[0], m.Input[1], m.Input[2]
	x := tensor.New(1, c, h, w)
	var probs tensor.Tensor
	for _, path := range images {
		pix, err := data.ReadImage(path, c, h, w)
		if err != nil {
			return err
		}
		p := prediction{Image: path}
		p.Inverted = c == 1 && (*invert == "yes" || *invert == "auto" && data.LightBackground(pix, h, w))
		for i, v := range pix {
			if p.Inverted {
				v = 255 - v
			}
			x.Data[i] = float32(v) / 255
		}
		m.Predict(x, &probs)
		order := make([]int, len(probs.Data))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return probs.Data[order[a]] > probs.Data[order[b]] })
		for _, k := range order[:min(*top, len(order))] {
			p.Top = append(p.Top, classScore{Class: className(m, k), Index: k, Prob: float64(probs.Data[k])})
		}
		if *asJSON {
			if err := json.NewEncoder(stdout).Encode(p); err != nil {
				return err
			}
			continue
		}
		note := ""
		if p.Inverted {
			note = " (inverted: light background)"
		}
		fmt.Fprintf(stdout, "%s%s\n", path, note)
		for i, s := range p.Top {
			fmt.Fprintf(stdout, "  %d. %-14s %6.2f%%\n", i+1, s.Class, 100*s.Prob)
		}
	}
	return nil
}

func className(m *nn.Model, k int) string {
	if k < len(m.Classes) {
		return m.Classes[k]
	}
	return fmt.Sprint(k)
}

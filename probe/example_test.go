package probe_test

import (
	"fmt"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/probe"
	"github.com/convnet/convnet/tensor"
)

// Record keeps what every layer produced for one image; MapGrid draws a
// layer's maps as an image.Image, ready for png.Encode or an HTTP reply.
func ExampleRecord() {
	m, _ := nn.NewModel("conv(2,3,pad=1) relu maxpool(2) flatten dense(3)", []int{1, 4, 4}, []string{"a", "b", "c"}, nn.SpecOptions{})
	m.Graph.Init(1)
	x := make([]float32, 16) // a 4×4 grey image, values in [0,1]
	x[5] = 1
	rec := probe.Record(m, x)
	for _, l := range rec.Layers {
		fmt.Println(l.Name, tensor.ShapeString(l.Shape), probe.ShowsMaps(l.Type))
	}
	img := probe.MapGrid(rec.Layer("relu1"))
	fmt.Println(img.Bounds().Dx() > 0, len(rec.Top(2, m.Classes)))
	// Output:
	// conv1 (2, 4, 4) true
	// relu1 (2, 4, 4) true
	// maxpool1 (2, 2, 2) true
	// flatten1 (8) false
	// dense1 (3) false
	// true 2
}

// Measure gives every layer's health over a set of examples; Advisor says
// what a practitioner would say about it.
func ExampleMeasure() {
	g := nn.NewGraph(3)
	g.MustAdd(nn.MustActivation("relu"))
	x := tensor.FromData([]float32{-1, 2, -3, 4, 5, -6}, 2, 3) // unit 2 is negative for both examples
	h := probe.Measure(g, x, nil, 0)
	l := h.Layer("relu1")
	fmt.Printf("sparsity %.2f, dead %d of %d\n", l.Sparsity, l.Dead, l.Units)
	for _, a := range (&probe.Advisor{}).Advise(0, h) {
		fmt.Println(a)
	}
	// Output:
	// sparsity 0.50, dead 1 of 3
	// relu1: 33% of units dead - try LeakyReLU, He init or a lower learning rate
}

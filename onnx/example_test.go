package onnx_test

import (
	"fmt"
	"strings"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx"
	"github.com/convnet/convnet/tensor"
)

// A model saved as ONNX comes back with its spec, classes and weights.
func ExampleExport() {
	m, _ := nn.NewModel("conv(4,3) relu globalavgpool flatten dense(3)", []int{1, 8, 8}, []string{"cat", "dog", "owl"}, nn.SpecOptions{})
	m.Graph.Init(1)
	mp, _ := onnx.Export(m)
	fmt.Println("opset", mp.GetOpsetImport()[0].GetVersion())
	var ops []string
	for _, n := range mp.GetGraph().GetNode() {
		ops = append(ops, n.GetOpType())
	}
	fmt.Println(strings.Join(ops, " "))

	back, _ := onnx.Import(mp)
	fmt.Println(back.Spec, back.Classes, back.Input)
	// Output:
	// opset 13
	// Conv Relu GlobalAveragePool Flatten Gemm
	// conv(4,3) relu globalavgpool flatten dense(3) [cat dog owl] [1 8 8]
}

// Any graph of supported operators runs on tensors bound to its inputs.
func ExampleProgram_Run() {
	m, _ := nn.NewModel("flatten dense(2)", []int{1, 2, 2}, nil, nn.SpecOptions{})
	for i := range m.Graph.Params()[0].Value.Data {
		m.Graph.Params()[0].Value.Data[i] = 1 // weights 1, bias 0: each output sums the pixels
	}
	mp, _ := onnx.Export(m)
	p, _ := onnx.Compile(mp)
	x := tensor.FromData([]float32{1, 2, 3, 4}, 1, 1, 2, 2)
	out, _ := p.Run([]*onnx.Tensor{{Shape: x.Shape, Type: p.Inputs[0].Type, Float: x.Data}})
	fmt.Println(p.Inputs[0].Name, p.Inputs[0].Shape, "->", out[0].Shape, out[0].Float)
	// Output:
	// input [-1 1 2 2] -> [1 2] [10 10]
}

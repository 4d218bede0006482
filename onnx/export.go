package onnx

import (
	"encoding/json"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"

	"github.com/convnet/convnet/internal/atomicfile"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx/onnxpb"
)

// ExportOpset is the operator set Export writes.
const ExportOpset = 13

// Metadata keys Export writes into metadata_props and Import reads back.
const (
	MetaSpec       = "convnet.spec"
	MetaActivation = "convnet.activation"
	MetaClasses    = "convnet.classes" // JSON array of strings
)

// Export converts m to an ONNX model of operator set 13 (IR version 8).
// Parameters and batch-norm statistics become initializers named as the
// parameters ("conv1.weight"); the graph input "input" has shape
// (N, C, H, W) with a symbolic batch dimension N, and the output is the
// last layer's, before any softmax that Predict applies. The model spec and
// class names go into metadata_props, so that Import rebuilds the same
// model.
func Export(m *nn.Model) (*onnxpb.ModelProto, error) {
	e := &exporter{g: &onnxpb.GraphProto{Name: ptr("convnet")}, names: map[*nn.Node]string{}}
	gr := m.Graph
	in := gr.Input()
	e.names[in] = "input"
	e.g.Input = append(e.g.Input, valueInfoProto("input", in.Shape))
	for _, n := range gr.Nodes[1:] {
		ins := make([]string, len(n.Inputs))
		for i, x := range n.Inputs {
			ins[i] = e.names[x]
		}
		e.names[n] = n.Name
		if err := e.layer(n, ins, n.Name); err != nil {
			return nil, err
		}
	}
	out := gr.Output()
	e.g.Output = append(e.g.Output, valueInfoProto(e.names[out], out.Shape))
	mp := &onnxpb.ModelProto{
		IrVersion:       ptr(int64(8)),
		ProducerName:    ptr("convnet"),
		ProducerVersion: ptr("1"),
		OpsetImport:     []*onnxpb.OperatorSetIdProto{{Domain: ptr(""), Version: ptr(int64(ExportOpset))}},
		Graph:           e.g,
	}
	if m.Spec != "" {
		mp.MetadataProps = append(mp.MetadataProps, &onnxpb.StringStringEntryProto{Key: ptr(MetaSpec), Value: ptr(m.Spec)})
	}
	if m.Activation != "" {
		mp.MetadataProps = append(mp.MetadataProps, &onnxpb.StringStringEntryProto{Key: ptr(MetaActivation), Value: ptr(m.Activation)})
	}
	if m.Classes != nil {
		b, _ := json.Marshal(m.Classes)
		mp.MetadataProps = append(mp.MetadataProps, &onnxpb.StringStringEntryProto{Key: ptr(MetaClasses), Value: ptr(string(b))})
	}
	return mp, nil
}

// Marshal encodes m as ONNX protobuf bytes.
func Marshal(m *nn.Model) ([]byte, error) {
	mp, err := Export(m)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(mp)
}

// SaveModel writes m as an ONNX file at path, atomically: a failed write
// leaves any previous file intact.
func SaveModel(path string, m *nn.Model) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

type exporter struct {
	g     *onnxpb.GraphProto
	names map[*nn.Node]string
	tmp   int
}

func valueInfoProto(name string, perExample []int) *onnxpb.ValueInfoProto {
	dims := []*onnxpb.TensorShapeProto_Dimension{{Value: &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: "N"}}}
	for _, d := range perExample {
		dims = append(dims, &onnxpb.TensorShapeProto_Dimension{Value: &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: int64(d)}})
	}
	return &onnxpb.ValueInfoProto{Name: ptr(name), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
		ElemType: ptr(int32(onnxpb.TensorProto_FLOAT)), Shape: &onnxpb.TensorShapeProto{Dim: dims}}}}}
}

// node appends a node and returns it for attributes.
func (e *exporter) node(op, name string, in []string, out string) *onnxpb.NodeProto {
	np := &onnxpb.NodeProto{OpType: ptr(op), Name: ptr(name), Input: in, Output: []string{out}}
	e.g.Node = append(e.g.Node, np)
	return np
}

// temp names an intermediate value of a decomposed layer.
func (e *exporter) temp(base string) string {
	e.tmp++
	return fmt.Sprintf("%s/%d", base, e.tmp)
}

// init adds an initializer holding data with the given shape.
func (e *exporter) init(name string, data []float32, shape ...int) string {
	t := &Tensor{Shape: shape, Type: onnxpb.TensorProto_FLOAT, Float: data}
	e.g.Initializer = append(e.g.Initializer, t.Proto(name))
	return name
}

// initInts adds a 1-D int64 initializer, such as a Reshape's shape.
func (e *exporter) initInts(name string, v ...int) string {
	t := NewInt(len(v))
	for i, x := range v {
		t.Int[i] = int64(x)
	}
	e.g.Initializer = append(e.g.Initializer, t.Proto(name))
	return name
}

func (e *exporter) param(p *nn.Param) string {
	return e.init(p.Name, p.Value.Data, p.Value.Shape...)
}

func ints(name string, v ...int) *onnxpb.AttributeProto {
	a := &onnxpb.AttributeProto{Name: ptr(name), Type: onnxpb.AttributeProto_INTS.Enum()}
	for _, x := range v {
		a.Ints = append(a.Ints, int64(x))
	}
	return a
}

func intAttr(name string, v int) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: ptr(name), Type: onnxpb.AttributeProto_INT.Enum(), I: ptr(int64(v))}
}

func stringAttr(name, v string) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: ptr(name), Type: onnxpb.AttributeProto_STRING.Enum(), S: []byte(v)}
}

func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: ptr(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: ptr(v)}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// layer writes the ONNX nodes of one nn layer, reading ins and writing out.
func (e *exporter) layer(n *nn.Node, ins []string, out string) error {
	name := n.Name
	switch l := n.Layer.(type) {
	case *nn.Conv2D:
		in := append(ins, e.param(l.W))
		if l.B != nil {
			in = append(in, e.param(l.B))
		}
		np := e.node("Conv", name, in, out)
		np.Attribute = []*onnxpb.AttributeProto{ints("kernel_shape", l.KH, l.KW), ints("strides", l.SH, l.SW),
			ints("pads", l.PadT, l.PadL, l.PadB, l.PadR), ints("dilations", l.DH, l.DW), intAttr("group", l.Groups)}
	case *nn.ConvTranspose2D:
		in := append(ins, e.param(l.W))
		if l.B != nil {
			in = append(in, e.param(l.B))
		}
		np := e.node("ConvTranspose", name, in, out)
		np.Attribute = []*onnxpb.AttributeProto{ints("kernel_shape", l.KH, l.KW), ints("strides", l.SH, l.SW),
			ints("pads", l.PadT, l.PadL, l.PadB, l.PadR), ints("dilations", l.DH, l.DW), intAttr("group", l.Groups),
			ints("output_padding", l.OutPadH, l.OutPadW)}
	case *nn.Dense:
		in := append(ins, e.param(l.W))
		if l.B != nil {
			in = append(in, e.param(l.B))
		}
		np := e.node("Gemm", name, in, out)
		np.Attribute = []*onnxpb.AttributeProto{intAttr("transB", 1)}
	case nn.Flatten, *nn.Flatten:
		e.node("Flatten", name, ins, out).Attribute = []*onnxpb.AttributeProto{intAttr("axis", 1)}
	case *nn.MaxPool2D:
		e.node("MaxPool", name, ins, out).Attribute = []*onnxpb.AttributeProto{ints("kernel_shape", l.KH, l.KW), ints("strides", l.SH, l.SW),
			ints("pads", l.PadT, l.PadL, l.PadB, l.PadR), ints("dilations", l.DH, l.DW), intAttr("ceil_mode", boolInt(l.CeilMode))}
	case *nn.AvgPool2D:
		e.node("AveragePool", name, ins, out).Attribute = []*onnxpb.AttributeProto{ints("kernel_shape", l.KH, l.KW), ints("strides", l.SH, l.SW),
			ints("pads", l.PadT, l.PadL, l.PadB, l.PadR), intAttr("ceil_mode", boolInt(l.CeilMode)), intAttr("count_include_pad", boolInt(l.CountIncludePad))}
	case *nn.GlobalAvgPool:
		e.node("GlobalAveragePool", name, ins, out)
	case *nn.GlobalMaxPool:
		e.node("GlobalMaxPool", name, ins, out)
	case *nn.BatchNorm2D:
		in := append(ins, e.param(l.Gamma), e.param(l.Beta), e.param(l.RunningMean), e.param(l.RunningVar))
		// ONNX's momentum weighs the old running value; nn's the new batch.
		e.node("BatchNormalization", name, in, out).Attribute = []*onnxpb.AttributeProto{floatAttr("epsilon", float32(l.Eps)), floatAttr("momentum", float32(1-l.Momentum))}
	case *nn.Dropout:
		ratio := e.init(name+".ratio", []float32{float32(l.P)})
		e.node("Dropout", name, append(ins, ratio), out)
	case *nn.Activation:
		return e.activation(l, name, ins[0], out)
	case *nn.PReLU:
		shape := []int{l.A.Value.Len()}
		if !l.Shared {
			// One slope per channel, broadcast over the spatial axes.
			for range n.Shape[1:] {
				shape = append(shape, 1)
			}
		}
		e.node("PRelu", name, append(ins, e.init(l.A.Name, l.A.Value.Data, shape...)), out)
	case *nn.Add:
		cur := ins[0]
		for i, x := range ins[1:] {
			o := out
			if i < len(ins)-2 {
				o = e.temp(name)
			}
			e.node("Add", name+fmt.Sprintf("/%d", i), []string{cur, x}, o)
			cur = o
		}
	case *nn.Concat:
		e.node("Concat", name, ins, out).Attribute = []*onnxpb.AttributeProto{intAttr("axis", 1)}
	case *nn.Clip:
		lo, hi := e.init(name+".min", []float32{l.Min}), e.init(name+".max", []float32{l.Max})
		e.node("Clip", name, append(ins, lo, hi), out)
	case *nn.HardSigmoid:
		e.node("HardSigmoid", name, ins, out).Attribute = []*onnxpb.AttributeProto{floatAttr("alpha", l.Alpha), floatAttr("beta", l.Beta)}
	case *nn.ConstBinary:
		c := e.init(name+".const", l.C.Data, l.C.Shape...)
		op := map[string]string{"add": "Add", "sub": "Sub", "rsub": "Sub", "mul": "Mul", "div": "Div", "rdiv": "Div"}[l.Op]
		in := []string{ins[0], c}
		if l.Op == "rsub" || l.Op == "rdiv" {
			in = []string{c, ins[0]}
		}
		e.node(op, name, in, out)
	case *nn.LogSoftmax:
		e.node("LogSoftmax", name, ins, out).Attribute = []*onnxpb.AttributeProto{intAttr("axis", -1)}
	case *nn.SoftmaxAxis:
		op := "Softmax"
		if l.Log {
			op = "LogSoftmax"
		}
		e.node(op, name, ins, out).Attribute = []*onnxpb.AttributeProto{intAttr("axis", l.Axis+1)}
	case *nn.DenseLast:
		// MatMul takes the matrix as (In, Out).
		d := l.Dense
		o, k := d.W.Value.Shape[0], d.W.Value.Shape[1]
		wt := make([]float32, len(d.W.Value.Data))
		for i := range o {
			for j := range k {
				wt[j*o+i] = d.W.Value.Data[i*k+j]
			}
		}
		w := e.init(d.W.Name, wt, k, o)
		if d.B == nil {
			e.node("MatMul", name, append(ins, w), out)
			break
		}
		p := e.temp(name)
		e.node("MatMul", name+"/matmul", append(ins, w), p)
		e.node("Add", name, []string{p, e.param(d.B)}, out)
	case *nn.Reshape:
		// 0 keeps the batch dimension.
		shape := e.initInts(name+".shape", append([]int{0}, l.Shape...)...)
		e.node("Reshape", name, append(ins, shape), out)
	case *nn.Transpose:
		perm := []int{0}
		for _, p := range l.Perm {
			perm = append(perm, p+1)
		}
		e.node("Transpose", name, ins, out).Attribute = []*onnxpb.AttributeProto{ints("perm", perm...)}
	case *nn.Pad:
		pads := append(append(append([]int{0}, l.Begin...), 0), l.End...)
		in := append(ins, e.initInts(name+".pads", pads...))
		if l.Mode == "constant" {
			in = append(in, e.init(name+".value", []float32{l.Value}))
		}
		e.node("Pad", name, in, out).Attribute = []*onnxpb.AttributeProto{stringAttr("mode", l.Mode)}
	case *nn.Binary:
		op := map[string]string{"add": "Add", "sub": "Sub", "mul": "Mul", "div": "Div"}[l.Op]
		e.node(op, name, ins, out)
	case *nn.MatMul:
		e.node("MatMul", name, ins, out)
	default:
		return &UnsupportedError{What: fmt.Sprintf("exporting layer %s (%s) to ONNX", name, n.Layer.Type())}
	}
	return nil
}

func (e *exporter) activation(l *nn.Activation, name, in, out string) error {
	switch l.Kind {
	case "relu":
		e.node("Relu", name, []string{in}, out)
	case "sigmoid":
		e.node("Sigmoid", name, []string{in}, out)
	case "tanh":
		e.node("Tanh", name, []string{in}, out)
	case "selu":
		e.node("Selu", name, []string{in}, out)
	case "leakyrelu":
		e.node("LeakyRelu", name, []string{in}, out).Attribute = []*onnxpb.AttributeProto{floatAttr("alpha", l.Alpha)}
	case "elu":
		e.node("Elu", name, []string{in}, out).Attribute = []*onnxpb.AttributeProto{floatAttr("alpha", l.Alpha)}
	case "softmax":
		e.node("Softmax", name, []string{in}, out).Attribute = []*onnxpb.AttributeProto{intAttr("axis", -1)}
	case "silu":
		// x·σ(x)
		s := e.temp(name)
		e.node("Sigmoid", name+"/sigmoid", []string{in}, s)
		e.node("Mul", name, []string{in, s}, out)
	case "gelu":
		// x·(1 + erf(x/√2))/2, Gelu's definition before opset 20 gave it a node.
		sq := e.init(name+".sqrt2", []float32{1.4142135623730951})
		one := e.init(name+".one", []float32{1})
		half := e.init(name+".half", []float32{0.5})
		d, f, a, m := e.temp(name), e.temp(name), e.temp(name), e.temp(name)
		e.node("Div", name+"/div", []string{in, sq}, d)
		e.node("Erf", name+"/erf", []string{d}, f)
		e.node("Add", name+"/add", []string{f, one}, a)
		e.node("Mul", name+"/mul", []string{in, a}, m)
		e.node("Mul", name, []string{m, half}, out)
	default:
		return &UnsupportedError{What: fmt.Sprintf("exporting activation %s to ONNX", l.Kind)}
	}
	return nil
}

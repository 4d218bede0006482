// Package onnx reads, runs and writes ONNX models (https://onnx.ai, IR
// version 8 and operator sets up to 17 as in the schema of onnx/onnxpb).
//
// It has three parts:
//
//   - An executor (Program) that runs any ONNX graph of the supported
//     operators node by node over tensors of any rank, with several graph
//     inputs and weights given as inputs or initializers. It is what
//     `convnet run` and `convnet conformance` use. Each operator's math is the
//     nn layer's (a Conv node runs an nn.Conv2D with its weights bound from
//     the node's inputs), or internal/kernel's for general tensor operators.
//   - Import: a graph whose weights are initializers and whose single input
//     is a batch of images becomes an nn.Model, so it can be evaluated and
//     fine-tuned (see Import).
//   - Export: an nn.Model becomes an ONNX model of operator set 13 (see
//     Export), with the model spec and class names in metadata_props so
//     that convnet reads it back bit for bit.
//
// Bad input is a *FormatError; valid ONNX that convnet does not implement is
// an *UnsupportedError naming the operator, the node and the operator set.
package onnx

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/convnet/convnet/onnx/onnxpb"
)

// FormatError reports a file that is not valid ONNX, or a graph that
// breaks an operator's rules.
type FormatError struct {
	Path string
	Msg  string
}

func (e *FormatError) Error() string {
	if e.Path != "" {
		return fmt.Sprintf("onnx: %s: %s", e.Path, e.Msg)
	}
	return "onnx: " + e.Msg
}

// UnsupportedError reports valid ONNX that convnet cannot run: an operator
// it does not implement, or an attribute value, rank or type it does not
// handle.
type UnsupportedError struct {
	Op    string // operator type, e.g. "LSTM"; "" when not about one node
	Node  string // node name, or its first output when unnamed
	Opset int64  // the model's version of the operator's domain
	What  string // what is missing
}

func (e *UnsupportedError) Error() string {
	if e.Op == "" {
		return "onnx: unsupported: " + e.What
	}
	s := fmt.Sprintf("onnx: unsupported operator %s (node %q, opset %d)", e.Op, e.Node, e.Opset)
	if e.What != "" {
		s += ": " + e.What
	}
	return s
}

// maxFileSize bounds what ReadModel accepts (protobuf's own 2 GiB limit).
const maxFileSize = 2 << 30

// ReadModel decodes an ONNX model from b and checks the parts convnet
// relies on: a graph, an operator set, and tensors whose shapes match their
// data.
func ReadModel(b []byte) (*onnxpb.ModelProto, error) {
	m := &onnxpb.ModelProto{}
	if err := proto.Unmarshal(b, m); err != nil {
		return nil, &FormatError{Msg: "not an ONNX model: " + protoError(err)}
	}
	if m.GetGraph() == nil {
		return nil, &FormatError{Msg: "an ONNX model without a graph"}
	}
	return m, nil
}

// LoadModel reads the ONNX model at path.
func LoadModel(path string) (*onnxpb.ModelProto, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	m, err := ReadModel(b)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return nil, err
	}
	return m, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("onnx: %s: no such file", path)
		}
		return nil, fmt.Errorf("onnx: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	if st.Size() > maxFileSize {
		return nil, &FormatError{Path: path, Msg: fmt.Sprintf("%d bytes is more than protobuf allows", st.Size())}
	}
	return io.ReadAll(f)
}

// ReadTensor decodes a TensorProto file, as the ONNX test data stores
// inputs and outputs (input_0.pb, output_0.pb).
func ReadTensor(b []byte) (*Tensor, error) {
	p := &onnxpb.TensorProto{}
	if err := proto.Unmarshal(b, p); err != nil {
		return nil, &FormatError{Msg: "not an ONNX tensor (TensorProto): " + protoError(err)}
	}
	return TensorFromProto(p)
}

// LoadTensor reads the TensorProto file at path.
func LoadTensor(path string) (*Tensor, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ReadTensor(b)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return nil, err
	}
	return t, nil
}

// MarshalTensor encodes t as a TensorProto file named name.
func MarshalTensor(t *Tensor, name string) ([]byte, error) {
	return proto.Marshal(t.Proto(name))
}

// protoError is a protobuf error's text with plain spaces (protobuf puts a
// no-break space after "proto:" to discourage matching on it).
func protoError(err error) string {
	return strings.ReplaceAll(err.Error(), "\u00a0", " ")
}

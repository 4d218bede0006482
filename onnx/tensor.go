package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/convnet/convnet/onnx/onnxpb"
)

// Tensor is a value flowing through an ONNX graph: a shape and either
// float32 data (Float) or integer data (Int, which holds int64, int32, int8,
// uint8 and bool tensors widened to int64). Type is the ONNX element type.
type Tensor struct {
	Shape []int
	Type  onnxpb.TensorProto_DataType
	Float []float32
	Int   []int64
}

// Limits applied before allocating from a file's header.
const (
	maxRank     = 16
	maxElements = 1 << 28 // 1 GiB of float32
)

// NewFloat returns a zeroed float32 tensor.
func NewFloat(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Type: onnxpb.TensorProto_FLOAT, Float: make([]float32, size(shape))}
}

// NewInt returns a zeroed int64 tensor.
func NewInt(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Type: onnxpb.TensorProto_INT64, Int: make([]int64, size(shape))}
}

// IsFloat reports whether t holds float32 data.
func (t *Tensor) IsFloat() bool { return t.Type == onnxpb.TensorProto_FLOAT }

// Len is the number of elements.
func (t *Tensor) Len() int { return size(t.Shape) }

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func (t *Tensor) String() string {
	return fmt.Sprintf("%s%v", typeName(t.Type), t.Shape)
}

func typeName(t onnxpb.TensorProto_DataType) string {
	if s, ok := onnxpb.TensorProto_DataType_name[int32(t)]; ok {
		return s
	}
	return fmt.Sprintf("type %d", t)
}

// intTypes are the integer element types a Tensor holds in Int, with their
// size in raw_data.
var intTypes = map[onnxpb.TensorProto_DataType]int{
	onnxpb.TensorProto_INT64: 8, onnxpb.TensorProto_INT32: 4, onnxpb.TensorProto_INT16: 2,
	onnxpb.TensorProto_UINT16: 2, onnxpb.TensorProto_INT8: 1, onnxpb.TensorProto_UINT8: 1,
	onnxpb.TensorProto_BOOL: 1,
}

// TensorFromProto decodes a TensorProto. Element types other than float32
// and the integer types are an UnsupportedError; a header whose dimensions
// do not match its data is a FormatError, checked before allocating.
func TensorFromProto(p *onnxpb.TensorProto) (*Tensor, error) {
	name := p.GetName()
	if p.GetDataLocation() == onnxpb.TensorProto_EXTERNAL || len(p.GetExternalData()) > 0 {
		return nil, &UnsupportedError{What: fmt.Sprintf("tensor %q keeps its data in an external file", name)}
	}
	if p.GetSegment() != nil {
		return nil, &UnsupportedError{What: fmt.Sprintf("tensor %q is segmented", name)}
	}
	dims := p.GetDims()
	if len(dims) > maxRank {
		return nil, &FormatError{Msg: fmt.Sprintf("tensor %q has %d dimensions", name, len(dims))}
	}
	shape := make([]int, len(dims))
	n := int64(1)
	for i, d := range dims {
		if d < 0 || d > maxElements {
			return nil, &FormatError{Msg: fmt.Sprintf("tensor %q has dimension %d", name, d)}
		}
		shape[i] = int(d)
		n *= d
		if n > maxElements {
			return nil, &FormatError{Msg: fmt.Sprintf("tensor %q of shape %v is too large", name, dims)}
		}
	}
	typ := onnxpb.TensorProto_DataType(p.GetDataType())
	raw := p.GetRawData()
	if typ == onnxpb.TensorProto_FLOAT {
		t := &Tensor{Shape: shape, Type: typ}
		switch {
		case raw != nil:
			if int64(len(raw)) != 4*n {
				return nil, dataSizeError(name, dims, len(raw)/4)
			}
			t.Float = make([]float32, n)
			for i := range t.Float {
				t.Float[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
		default:
			if int64(len(p.GetFloatData())) != n {
				return nil, dataSizeError(name, dims, len(p.GetFloatData()))
			}
			t.Float = append([]float32(nil), p.GetFloatData()...)
		}
		return t, nil
	}
	width, ok := intTypes[typ]
	if !ok {
		return nil, &UnsupportedError{What: fmt.Sprintf("tensor %q has element type %s (convnet reads float32 and integers)", name, typeName(typ))}
	}
	t := &Tensor{Shape: shape, Type: typ}
	switch {
	case raw != nil:
		if int64(len(raw)) != int64(width)*n {
			return nil, dataSizeError(name, dims, len(raw)/width)
		}
		t.Int = make([]int64, n)
		for i := range t.Int {
			t.Int[i] = decodeInt(typ, raw[i*width:])
		}
	case typ == onnxpb.TensorProto_INT64:
		if int64(len(p.GetInt64Data())) != n {
			return nil, dataSizeError(name, dims, len(p.GetInt64Data()))
		}
		t.Int = append([]int64(nil), p.GetInt64Data()...)
	default:
		d := p.GetInt32Data()
		if int64(len(d)) != n {
			return nil, dataSizeError(name, dims, len(d))
		}
		t.Int = make([]int64, n)
		for i, v := range d {
			t.Int[i] = int64(v)
		}
	}
	return t, nil
}

func dataSizeError(name string, dims []int64, got int) error {
	return &FormatError{Msg: fmt.Sprintf("tensor %q of shape %v holds %d values", name, dims, got)}
}

func decodeInt(typ onnxpb.TensorProto_DataType, b []byte) int64 {
	switch typ {
	case onnxpb.TensorProto_INT64:
		return int64(binary.LittleEndian.Uint64(b))
	case onnxpb.TensorProto_INT32:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	case onnxpb.TensorProto_INT16:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case onnxpb.TensorProto_UINT16:
		return int64(binary.LittleEndian.Uint16(b))
	case onnxpb.TensorProto_INT8:
		return int64(int8(b[0]))
	default: // UINT8, BOOL
		return int64(b[0])
	}
}

// Proto encodes t as a TensorProto named name, with its data in raw_data
// (little-endian), as the ONNX test data and exporters write it.
func (t *Tensor) Proto(name string) *onnxpb.TensorProto {
	p := &onnxpb.TensorProto{Name: &name, DataType: ptr(int32(t.Type))}
	for _, d := range t.Shape {
		p.Dims = append(p.Dims, int64(d))
	}
	if t.IsFloat() {
		raw := make([]byte, 4*len(t.Float))
		for i, v := range t.Float {
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		p.RawData = raw
		return p
	}
	width := intTypes[t.Type]
	raw := make([]byte, width*len(t.Int))
	for i, v := range t.Int {
		b := raw[i*width:]
		switch width {
		case 8:
			binary.LittleEndian.PutUint64(b, uint64(v))
		case 4:
			binary.LittleEndian.PutUint32(b, uint32(v))
		case 2:
			binary.LittleEndian.PutUint16(b, uint16(v))
		default:
			b[0] = byte(v)
		}
	}
	p.RawData = raw
	return p
}

func ptr[T any](v T) *T { return &v }

// newLike returns a zeroed tensor of the given shape and t's element type;
// the caller has checked its size.
func newLike(t *Tensor, shape []int) *Tensor {
	if t.IsFloat() {
		return &Tensor{Shape: shape, Type: t.Type, Float: make([]float32, size(shape))}
	}
	return &Tensor{Shape: shape, Type: t.Type, Int: make([]int64, size(shape))}
}

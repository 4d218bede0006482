// Package tensor holds the engine's one data type: a dense float32 array with
// a shape, laid out row-major, images in NCHW order (batch, channels, height,
// width) as in PyTorch and ONNX.
package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a shape and the row-major float32 data it describes.
// len(Data) == Size(Shape) always holds for tensors made by this package.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New returns a zeroed tensor of the given shape.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, Size(shape))}
}

// FromData wraps data in a tensor of the given shape. It panics when the
// lengths disagree: that is a programming error, not bad input.
func FromData(data []float32, shape ...int) *Tensor {
	if len(data) != Size(shape) {
		panic(fmt.Sprintf("tensor: %d values do not fill shape %v", len(data), shape))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// Size is the number of elements of a shape: the product of its dimensions.
func Size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Len is the number of elements of t.
func (t *Tensor) Len() int { return len(t.Data) }

// Dim returns dimension i; negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.Shape)
	}
	return t.Shape[i]
}

// Resize makes t hold shape, reusing its storage when it has the capacity and
// growing it otherwise. Contents are unspecified afterwards. It is how layers
// keep one buffer across steps whose batch size changes.
func (t *Tensor) Resize(shape ...int) {
	n := Size(shape)
	if cap(t.Data) < n {
		t.Data = make([]float32, n)
	}
	t.Data = t.Data[:n]
	if !EqualShape(t.Shape, shape) {
		t.Shape = append(t.Shape[:0], shape...)
	}
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.Data) }

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Strides returns the element strides of a row-major (C-order) shape:
// stride[i] = Π shape[i+1:], so element idx lies at Σ idx[i]·stride[i].
func Strides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// EqualShape reports whether two shapes are the same.
func EqualShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ShapeString formats a shape the way the CLI prints it: "(N, 6, 28, 28)".
func ShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (t *Tensor) String() string {
	return fmt.Sprintf("Tensor%s", ShapeString(t.Shape))
}

// FromValues returns a 1-D tensor holding vals.
func FromValues(vals ...float32) *Tensor { return FromData(append([]float32(nil), vals...), len(vals)) }

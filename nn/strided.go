package nn

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/convnet/convnet/tensor"
)

// Index maps for the layers that move values between axes (Transpose,
// Binary's broadcasting, SoftmaxAxis): for each element of a per-example
// output, in row-major order, the offset of the element it reads. They are
// computed once in Build, so Forward and Backward are one indexed loop.

// stridedIndex lists, for every element of shape in row-major order, the
// offset Σ idx[k]·stride[k]. A permuted stride gives a transpose; a zero
// stride repeats an axis, as broadcasting does.
func stridedIndex(shape, stride []int) []int32 {
	n := tensor.Size(shape)
	index := make([]int32, n)
	idx := make([]int, len(shape))
	off := 0
	for i := range index {
		index[i] = int32(off)
		// Advance the multi-index like an odometer.
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k]++
			off += stride[k]
			if idx[k] < shape[k] {
				break
			}
			off -= stride[k] * shape[k]
			idx[k] = 0
		}
	}
	return index
}

// joinInts writes v as "1,2,3" (sep ","), the form of the model text.
func joinInts(v []int, sep string) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}

// checkIndexable rejects per-example shapes too large for int32 offsets.
func checkIndexable(layer string, shape []int) error {
	n := 1
	for _, d := range shape {
		if d < 0 || d > 0 && n > math.MaxInt32/d {
			return fmt.Errorf("%s: an example of shape %s is too large", layer, tensor.ShapeString(shape))
		}
		n *= d
	}
	return nil
}

package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// Flatten reshapes (N, d1, d2, ...) to (N, d1·d2·...), as PyTorch's
// Flatten and ONNX Flatten with axis=1. The data order is unchanged.
type Flatten struct{}

func (Flatten) Type() string { return "flatten" }

func (Flatten) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("flatten takes one input, gets %d", len(in))
	}
	return []int{tensor.Size(in[0])}, nil
}

func (Flatten) Params() []*Param { return nil }

func (Flatten) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	copy(out.Data, in[0].Data)
}

func (Flatten) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] != nil {
		copy(dIn[0].Data, dOut.Data)
	}
}

// Package nn holds the layers of a ConvNet as explicit forward/backward
// pairs, their parameters and weight initialisers, the graph that wires
// layers together (a sequential stack is the common case; residual and
// branching nets are graphs too), the losses, and the model text form.
//
// Shapes: tensors flowing between layers are (N, ...) with the batch first;
// images are (N, C, H, W). Layer shapes given to Build exclude the batch.
package nn

import (
	"math/rand/v2"

	"github.com/convnet/convnet/tensor"
)

// Layer is one differentiable operation in a graph.
//
// A layer owns its parameters and any scratch it needs between Forward and
// Backward (masks, argmax indices, im2col buffers). Scratch is sized on the
// first step of a batch size and reused after that, so a warm training step
// allocates nothing.
type Layer interface {
	// Type is the layer's name in the model text form, e.g. "conv", "relu".
	Type() string
	// Build checks the per-example input shapes (batch excluded), creates the
	// parameters, and returns the per-example output shape. The error names
	// the problem in the user's terms ("dense(120) expects 400 inputs, gets 256").
	Build(in [][]int) ([]int, error)
	// Forward computes out from in. out has already been resized to
	// (N, outShape...). train selects training behaviour (dropout, batch
	// statistics in batch norm).
	Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool)
	// Backward takes dOut = ∂L/∂out and writes (overwrites) ∂L/∂in[i] into
	// dIn[i] when dIn[i] != nil, and overwrites the gradients of the layer's
	// parameters. in and out are the tensors of the last Forward.
	Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor)
	// Params lists the learnable parameters, in a fixed order.
	Params() []*Param
}

// Initializer is a layer whose parameters are set from a random source.
// fanAct names the activation that follows the layer ("relu", "sigmoid", ...,
// or "" when none does), which chooses the default scheme.
type Initializer interface {
	InitParams(rng *rand.Rand, fanAct string)
}

// Stateful is a layer with state that is not learned but must be saved with
// the model, such as batch-norm running statistics.
type Stateful interface {
	State() []*Param
}

// Seeded is a layer that draws random numbers while it runs (dropout).
type Seeded interface {
	Seed(rng *rand.Rand)
}

// Describer is a layer that can print itself in the model text form with its
// arguments, e.g. "conv(6,5,pad=2)".
type Describer interface {
	Describe() string
}

// Param is a learnable tensor with its gradient, of the same shape.
type Param struct {
	Name  string // qualified by the graph: "conv1.weight"
	Value *tensor.Tensor
	Grad  *tensor.Tensor
	// NoDecay marks parameters that weight decay should skip (biases,
	// batch-norm scale and shift), following common practice.
	NoDecay bool
}

// NewParam returns a zeroed parameter and gradient of the given shape.
func NewParam(name string, shape ...int) *Param {
	return &Param{Name: name, Value: tensor.New(shape...), Grad: tensor.New(shape...)}
}

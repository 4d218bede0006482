//go:build !amd64 || noasm

package kernel

// Without assembly every activation runs its plain-Go loop.

func reluForward(x, y []float32)                       { reluForwardGo(x, y) }
func reluBackward(x, dy, dx []float32)                 { reluBackwardGo(x, dy, dx) }
func leakyReLUForward(x, y []float32, a float32)       { leakyReLUForwardGo(x, y, a) }
func leakyReLUBackward(x, dy, dx []float32, a float32) { leakyReLUBackwardGo(x, dy, dx, a) }
func sigmoidForward(x, y []float32)                    { sigmoidForwardGo(x, y) }
func tanhForward(x, y []float32)                       { tanhForwardGo(x, y) }
func sigmoidBackward(y, dy, dx []float32)              { sigmoidBackwardGo(y, dy, dx) }
func tanhBackward(y, dy, dx []float32)                 { tanhBackwardGo(y, dy, dx) }

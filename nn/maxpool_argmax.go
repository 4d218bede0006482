package nn

// Argmax returns, for the last Forward, the position iy·W+ix within its
// channel plane of the input pixel each output came from (-1 for a window
// that saw only padding), (N, C, OH, OW) in row-major order. The slice is
// the layer's and is overwritten by the next Forward. ONNX MaxPool's
// Indices output is built from it.
func (l *MaxPool2D) Argmax() []int32 { return l.arg }

package nn

// activationTypes lists the layer types that are elementwise activations,
// which weight initialisation and `--activation` swapping look for.
var activationTypes = map[string]bool{
	"relu": true, "leakyrelu": true, "prelu": true, "elu": true, "selu": true, "gelu": true,
	"silu": true, "sigmoid": true, "tanh": true, "softmax": true,
}

// IsActivation reports whether a layer type is an activation function.
func IsActivation(typ string) bool { return activationTypes[typ] }

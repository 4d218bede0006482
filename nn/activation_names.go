package nn

// activationTypes lists the layer types that are elementwise activations,
// which weight initialisation and `--activation` swapping look for.
var activationTypes = map[string]bool{
	"relu": true, "leakyrelu": true, "prelu": true, "elu": true, "selu": true, "gelu": true,
	"silu": true, "sigmoid": true, "tanh": true, "softmax": true,
}

// IsActivation reports whether a layer type is an activation function.
func IsActivation(typ string) bool { return activationTypes[typ] }

// HiddenActivations are the activations SpecOptions.Activation (the
// --activation flag) may swap in for a model's hidden ones. Softmax is not
// one: it turns a whole row into probabilities, which makes sense only at
// the output, and the swap leaves the output alone. The command line
// checks this list; BuildGraph does not, so that a model saved with a
// softmax swap before the check existed still loads.
var HiddenActivations = []string{"relu", "leakyrelu", "prelu", "elu", "selu", "gelu", "silu", "sigmoid", "tanh"}

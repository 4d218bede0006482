package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// InitScheme names a weight initialisation. The zero value, InitAuto,
// picks one to suit the activation that follows the layer.
type InitScheme string

const (
	InitAuto   InitScheme = ""
	InitHe     InitScheme = "he"     // N(0, 2/fan_in): He et al. 2015, for ReLU-like units
	InitXavier InitScheme = "xavier" // U(±√(6/(fan_in+fan_out))): Glorot & Bengio 2010, for sigmoid/tanh
	InitLeCun  InitScheme = "lecun"  // N(0, 1/fan_in): LeCun et al. 1998, for SELU
)

// ParseInit checks an init name from the command line or a model spec.
func ParseInit(s string) (InitScheme, error) {
	switch InitScheme(s) {
	case InitAuto, InitHe, InitXavier, InitLeCun:
		return InitScheme(s), nil
	case "glorot":
		return InitXavier, nil
	case "kaiming":
		return InitHe, nil
	}
	return "", fmt.Errorf("unknown init %q (want he, xavier or lecun)", s)
}

// resolve picks the scheme for a layer followed by activation act.
func (s InitScheme) resolve(act string) InitScheme {
	if s != InitAuto {
		return s
	}
	switch act {
	case "relu", "leakyrelu", "prelu", "elu", "gelu", "silu":
		return InitHe
	case "selu":
		return InitLeCun
	}
	return InitXavier // sigmoid, tanh, softmax, or the logits layer
}

// fillWeights draws w from scheme s for a layer with the given fans:
// fan_in = inputs per output unit (C/groups·KH·KW for conv), fan_out =
// outputs per input unit (F/groups·KH·KW).
func fillWeights(w []float32, s InitScheme, fanIn, fanOut int, rng *rand.Rand) {
	switch s {
	case InitHe:
		std := math.Sqrt(2 / float64(fanIn))
		for i := range w {
			w[i] = float32(rng.NormFloat64() * std)
		}
	case InitLeCun:
		std := math.Sqrt(1 / float64(fanIn))
		for i := range w {
			w[i] = float32(rng.NormFloat64() * std)
		}
	default:
		a := math.Sqrt(6 / float64(fanIn+fanOut))
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * a)
		}
	}
}

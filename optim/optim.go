// Package optim updates a network's parameters from their gradients: plain
// and momentum SGD (with Nesterov's variant and weight decay), Adam and
// AdamW, and the learning-rate schedules that drive them.
//
// The update rules follow PyTorch 1.13 to the operation, so a run here and a
// run there from the same weights and gradients agree to float32 rounding:
//
//   - SGD:   https://pytorch.org/docs/1.13/generated/torch.optim.SGD.html
//   - Adam:  https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html
//     (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015)
//   - AdamW: https://pytorch.org/docs/1.13/generated/torch.optim.AdamW.html
//     (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019)
//
// testdata/gen_reference.py runs those PyTorch optimizers and the tests
// compare against what it wrote.
//
// Hyperparameters are float64, as PyTorch's are Python floats: in float32,
// 1-0.999 is off by 1.3e-5 relative, which would show in every Adam step.
// They are rounded to float32 where PyTorch rounds them, when they meet a
// tensor. The learning rate handed to Step is float32, which moves results
// by less than float32 rounding.
package optim

import (
	"fmt"
	"strings"

	"github.com/convnet/convnet/nn"
)

// Optimizer updates parameters in place from their gradients.
//
// An optimizer keeps its state (momentum buffers, Adam moments, the step
// count) per parameter, keyed by position in the params slice, so it must be
// given the same parameters in the same order at every Step. The state is
// allocated on the first Step; later Steps allocate nothing.
type Optimizer interface {
	// Name is the algorithm: "sgd", "adam" or "adamw".
	Name() string
	// Step applies one update with learning rate lr to every parameter,
	// reading p.Grad (already averaged over the batch) and writing p.Value.
	// It panics when params does not have the sizes of the first Step.
	Step(params []*nn.Param, lr float32)
	// State returns a copy of the optimizer's state as named tensors
	// ("conv1.weight.momentum", "adam.step") for a checkpoint, or nil before
	// the first Step. Grad is nil in each.
	State() []*nn.Param
	// SetState restores state returned by State for the given parameters,
	// which then must be passed to every later Step. Empty state resets the
	// optimizer to before its first Step. State for different parameters,
	// or from another optimizer, is a StateError and leaves the optimizer
	// as it was.
	SetState(params []*nn.Param, state []*nn.Param) error
}

// Config holds the settings New reads. Zero fields take the defaults.
type Config struct {
	// Momentum is the SGD momentum factor, in [0, 1). "sgd" defaults to 0,
	// "momentum" and "nesterov" to 0.9. Adam and AdamW use Beta1 instead.
	Momentum float64
	// WeightDecay is the L2 penalty factor (coupled into the gradient for
	// SGD and Adam, decoupled for AdamW). Defaults to 0.
	WeightDecay float64
	// DecayAll applies weight decay to parameters marked NoDecay too, as
	// PyTorch does unless given parameter groups. By default they are skipped.
	DecayAll bool
	// Beta1 and Beta2 are Adam's moment decay rates, in [0, 1); they default
	// to 0.9 and 0.999. Eps, added to the denominator, defaults to 1e-8.
	Beta1, Beta2, Eps float64
}

// Names lists the optimizers New accepts.
var Names = []string{"sgd", "momentum", "nesterov", "adam", "adamw"}

// DefaultLR is the base learning rate a run takes when none is given: 0.05
// for the SGD family, which trains the LeNet-5 of `convnet train` to 99% on
// MNIST, and 0.001 for Adam and AdamW, the default of Kingma and Ba (2015)
// and of PyTorch and Keras. One rate for all did not work: Adam at 0.05
// diverged on that model (11% after an epoch), as Adam's steps are about
// lr per weight whatever the gradient's scale. Unknown names get 0.05;
// New rejects them.
func DefaultLR(name string) float64 {
	if name == "adam" || name == "adamw" {
		return 0.001
	}
	return 0.05
}

// New returns the named optimizer with the settings of cfg:
//
//	sgd       SGD, momentum cfg.Momentum (0 unless set)
//	momentum  SGD with momentum (0.9 unless set)
//	nesterov  SGD with Nesterov momentum (0.9 unless set)
//	adam      Adam, weight decay added to the gradient
//	adamw     AdamW, weight decay applied to the weights
//
// An unknown name or an out-of-range setting is a ConfigError.
func New(name string, cfg Config) (Optimizer, error) {
	switch name {
	case "sgd", "momentum", "nesterov":
		if cfg.Beta1 != 0 || cfg.Beta2 != 0 || cfg.Eps != 0 {
			return nil, configErrorf("%s takes no betas or eps; those are for adam and adamw", name)
		}
		o := &SGD{Momentum: cfg.Momentum, Nesterov: name == "nesterov", WeightDecay: cfg.WeightDecay, DecayAll: cfg.DecayAll}
		if name != "sgd" && o.Momentum == 0 {
			o.Momentum = 0.9
		}
		if err := o.check(); err != nil {
			return nil, err
		}
		return o, nil
	case "adam", "adamw":
		if cfg.Momentum != 0 {
			return nil, configErrorf("%s takes no momentum; set Beta1 instead", name)
		}
		o := &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: cfg.WeightDecay, Decoupled: name == "adamw", DecayAll: cfg.DecayAll}
		if cfg.Beta1 != 0 {
			o.Beta1 = cfg.Beta1
		}
		if cfg.Beta2 != 0 {
			o.Beta2 = cfg.Beta2
		}
		if cfg.Eps != 0 {
			o.Eps = cfg.Eps
		}
		if err := o.check(); err != nil {
			return nil, err
		}
		return o, nil
	}
	return nil, configErrorf("unknown optimizer %q; valid: %s", name, strings.Join(Names, ", "))
}

// ConfigError reports an optimizer or schedule setting that cannot be used.
type ConfigError string

func (e ConfigError) Error() string { return "optim: invalid config: " + string(e) }

func configErrorf(format string, args ...any) error {
	return ConfigError(fmt.Sprintf(format, args...))
}

// StateError reports optimizer state that does not fit the parameters it is
// restored for.
type StateError string

func (e StateError) Error() string { return "optim: state does not fit the parameters: " + string(e) }

func stateErrorf(format string, args ...any) error {
	return StateError(fmt.Sprintf(format, args...))
}

// inRange reports whether 0 <= x < 1; it is false for NaN.
func inRange(x float64) bool { return x >= 0 && x < 1 }

// decays reports whether weight decay applies to p.
func decays(p *nn.Param, decayAll bool) bool { return decayAll || !p.NoDecay }

package optim

import (
	"math"
	"strconv"
	"strings"
)

// Schedule gives the learning rate at each step of a run.
//
// A step is whatever the caller counts, an epoch or a batch, as long as one
// schedule counts one kind; steps run from 0 to total-1.
type Schedule interface {
	// LR returns the learning rate for step (>= 0) of a run of total steps.
	LR(step, total int) float32
	// String returns the spec ParseSchedule reads back into this schedule.
	String() string
}

// Constant keeps the rate at Base.
type Constant struct {
	Base float64
}

// LR returns Base.
func (s Constant) LR(step, total int) float32 { return float32(s.Base) }

func (s Constant) String() string { return "constant" }

// StepDecay multiplies the rate by Gamma every Every steps:
//
//	lr = Base * Gamma^floor(step/Every)
//
// as torch.optim.lr_scheduler.StepLR.
type StepDecay struct {
	Base  float64
	Every int // > 0
	Gamma float64
}

// LR returns Base * Gamma^floor(step/Every).
func (s StepDecay) LR(step, total int) float32 {
	return float32(s.Base * math.Pow(s.Gamma, float64(step/s.Every)))
}

func (s StepDecay) String() string {
	return "step:" + strconv.Itoa(s.Every) + ":" + formatFloat(s.Gamma)
}

// Cosine anneals the rate from Base at step 0 to Floor at step total along
// half a cosine, as SGDR without restarts (Loshchilov & Hutter, "SGDR:
// Stochastic Gradient Descent with Warm Restarts", ICLR 2017) and
// torch.optim.lr_scheduler.CosineAnnealingLR with T_max = total:
//
//	lr = Floor + (Base-Floor) * (1 + cos(pi * step/total)) / 2
//
// Steps past total stay at Floor; with total <= 0 the rate is Base.
type Cosine struct {
	Base  float64
	Floor float64 // in [0, Base]
}

// LR returns the annealed rate.
func (s Cosine) LR(step, total int) float32 {
	if total <= 0 {
		return float32(s.Base)
	}
	t := float64(min(step, total)) / float64(total)
	return float32(s.Floor + (s.Base-s.Floor)*(1+math.Cos(math.Pi*t))/2)
}

func (s Cosine) String() string {
	if s.Floor == 0 {
		return "cosine"
	}
	return "cosine:" + formatFloat(s.Floor)
}

// Warmup ramps the rate up linearly over its first Steps steps, then hands
// over to Then, which runs over the remaining total-Steps steps counting from
// 0 (so a cosine after a warm-up still ends at its floor at the last step).
// During the ramp, with r the rate Then starts at:
//
//	lr = r * (step+1) / Steps
//
// so the first step already moves, and step Steps-1 reaches r.
type Warmup struct {
	Steps int // > 0
	Then  Schedule
}

// LR returns the ramped rate during the warm-up and Then's rate after it.
func (s Warmup) LR(step, total int) float32 {
	if step < s.Steps {
		r := float64(s.Then.LR(0, total-s.Steps))
		return float32(r * float64(step+1) / float64(s.Steps))
	}
	return s.Then.LR(step-s.Steps, total-s.Steps)
}

func (s Warmup) String() string {
	return "warmup:" + strconv.Itoa(s.Steps) + "+" + s.Then.String()
}

// ScheduleHelp describes the specs ParseSchedule accepts, for command-line help.
const ScheduleHelp = `constant | step:EVERY:GAMMA | cosine[:FLOOR] | warmup:STEPS[+SCHEDULE]
  constant         the base rate throughout
  step:30:0.1      multiply the rate by 0.1 every 30 steps
  cosine           anneal to 0 over the run; cosine:1e-5 stops at 1e-5
  warmup:500       ramp up linearly over 500 steps, then constant;
  warmup:5+cosine  ramp up over 5 steps, then a cosine over the rest`

// ParseSchedule reads a schedule spec (see ScheduleHelp) with base learning
// rate base. A malformed spec or out-of-range number is a ConfigError that
// says what was expected.
func ParseSchedule(spec string, base float64) (Schedule, error) {
	if !(base > 0 && base <= math.MaxFloat32) {
		return nil, configErrorf("learning rate %g is not a positive float32", base)
	}
	return parseSchedule(strings.TrimSpace(spec), base)
}

func parseSchedule(spec string, base float64) (Schedule, error) {
	name, args, hasArgs := strings.Cut(spec, ":")
	bad := func(format string, a ...any) error {
		return configErrorf("schedule %q: "+format, append([]any{spec}, a...)...)
	}
	switch name {
	case "constant":
		if hasArgs {
			return nil, bad("constant takes no arguments")
		}
		return Constant{Base: base}, nil

	case "step":
		everyArg, gammaArg, ok := strings.Cut(args, ":")
		if !ok || strings.Contains(gammaArg, ":") {
			return nil, bad("want step:EVERY:GAMMA, e.g. step:30:0.1")
		}
		every, err := strconv.Atoi(everyArg)
		if err != nil || every <= 0 {
			return nil, bad("EVERY %q is not a whole number of steps above 0", everyArg)
		}
		gamma, err := strconv.ParseFloat(gammaArg, 64)
		if err != nil || !(gamma > 0) || math.IsInf(gamma, 1) {
			return nil, bad("GAMMA %q is not a positive number", gammaArg)
		}
		return StepDecay{Base: base, Every: every, Gamma: gamma}, nil

	case "cosine":
		s := Cosine{Base: base}
		if !hasArgs {
			return s, nil
		}
		floor, err := strconv.ParseFloat(args, 64)
		if err != nil || !(floor >= 0) || floor > base {
			return nil, bad("FLOOR %q is not a rate between 0 and the base rate %g", args, base)
		}
		s.Floor = floor
		return s, nil

	case "warmup":
		stepsArg, then, chained := strings.Cut(args, "+")
		steps, err := strconv.Atoi(stepsArg)
		if err != nil || steps <= 0 {
			return nil, bad("want warmup:STEPS or warmup:STEPS+SCHEDULE with STEPS a whole number above 0, e.g. warmup:5+cosine")
		}
		if !chained {
			return Warmup{Steps: steps, Then: Constant{Base: base}}, nil
		}
		if then == "" {
			return nil, bad("want a schedule after +, e.g. warmup:5+cosine")
		}
		next, err := parseSchedule(then, base)
		if err != nil {
			return nil, err
		}
		return Warmup{Steps: steps, Then: next}, nil
	}
	return nil, bad("unknown schedule %q; valid: constant, step:EVERY:GAMMA, cosine[:FLOOR], warmup:STEPS[+SCHEDULE]", name)
}

// formatFloat prints x so that strconv.ParseFloat reads back the same value.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

package probe

import (
	"fmt"
	"math"
)

// Thresholds at which Advisor speaks up.
const (
	DeadAlarm       = 0.20 // fraction of a ReLU layer's units dead for every example (a few dead units are common and harmless)
	SaturationAlarm = 0.20 // fraction of sigmoid/tanh outputs at their bounds
	VanishingAlarm  = 1e-2 // a layer's weight gradient relative to the last layer's: 100 times smaller
	ExplodingAlarm  = 1e2
	UpdateAlarm     = 0.1 // ‖ΔW‖/‖W‖ of one step
)

// Advisor turns layer health into the short advice a practitioner would
// give, one line per layer that looks wrong. It remembers past epochs so
// that it can say since when a problem has lasted.
type Advisor struct {
	since map[string]int // "layer/problem" -> first epoch of the current run of it
}

// Advise returns the advice for one epoch's health, e.g.
//
//	relu2 (conv2): 41% of channels dead since epoch 2 - try LeakyReLU, He init or a lower learning rate
//	conv1: weight gradient 1e-08 of the last layer's (dense3) - vanishing gradients; try ReLU, He init, batch norm or residual connections
//
// epoch numbers the call (from 1); pass 0 when there is no history, as for
// a saved model.
func (a *Advisor) Advise(epoch int, h *Health) []string {
	if a.since == nil {
		a.since = map[string]int{}
	}
	seen := map[string]bool{}
	since := func(key string) string {
		seen[key] = true
		first, ok := a.since[key]
		if !ok {
			a.since[key] = epoch
			first = epoch
		}
		if epoch == 0 || first == epoch {
			return ""
		}
		return fmt.Sprintf(" since epoch %d", first)
	}
	var out []string
	dead := false // some ReLU layer reported dead this epoch
	for i := range h.Layers {
		l := &h.Layers[i]
		name := l.Name
		if l.After != "" {
			name = fmt.Sprintf("%s (%s)", l.Name, l.After)
		}
		if l.NonFinite > 0 {
			out = append(out, fmt.Sprintf("%s: %d outputs are NaN or infinite%s - lower the learning rate", name, l.NonFinite, since(l.Name+"/nan")))
		}
		what := "units"
		if len(l.Shape) == 3 {
			what = "channels"
		}
		if l.Type == "relu" && l.DeadFraction >= DeadAlarm {
			dead = true
			out = append(out, fmt.Sprintf("%s: %.0f%% of %s dead%s - try LeakyReLU, He init or a lower learning rate",
				name, 100*l.DeadFraction, what, since(l.Name+"/dead")))
		}
		if l.Bounded() && l.Saturation >= SaturationAlarm {
			out = append(out, fmt.Sprintf("%s: %.0f%% of outputs saturated%s - their gradient is near 0; try ReLU, batch norm or a smaller initial scale",
				name, 100*l.Saturation, since(l.Name+"/saturated")))
		}
		if l.UpdateRatio >= UpdateAlarm {
			out = append(out, fmt.Sprintf("%s: one step changes the weights by %.0f%% of their size%s - lower the learning rate",
				l.Name, 100*l.UpdateRatio, since(l.Name+"/update")))
		}
	}
	ws := h.Weighted()
	if len(ws) >= 2 && ws[len(ws)-1].GradNorm > 0 {
		last := ws[len(ws)-1]
		for _, l := range ws[:len(ws)-1] {
			r := l.GradNorm / last.GradNorm
			switch {
			case l.GradNorm == 0 && dead:
				// Dead units pass no gradient back and feed only zeros
				// forward, so a gradient of exactly 0 is their doing, and
				// already reported; "vanishing" would point at the wrong cure.
			case r < VanishingAlarm:
				out = append(out, fmt.Sprintf("%s: weight gradient %s of the last layer's (%s)%s - vanishing gradients; try ReLU, He init, batch norm or residual connections",
					l.Name, sci(r), last.Name, since(l.Name+"/vanishing")))
			case r > ExplodingAlarm:
				out = append(out, fmt.Sprintf("%s: weight gradient %s times the last layer's (%s)%s - exploding gradients; try a lower learning rate, batch norm or gradient clipping",
					l.Name, sci(r), last.Name, since(l.Name+"/exploding")))
			}
		}
	}
	// A problem that went away starts afresh if it comes back.
	for k := range a.since {
		if !seen[k] {
			delete(a.since, k)
		}
	}
	return out
}

// sci prints a ratio compactly: 1e-08, 3.2e-05, 0.004.
func sci(v float64) string {
	if v != 0 && (math.Abs(v) < 1e-2 || math.Abs(v) >= 1e4) {
		return fmt.Sprintf("%.2g", v)
	}
	return fmt.Sprintf("%.3g", v)
}

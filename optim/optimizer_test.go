package optim

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// testParams returns a weight and a NoDecay bias with values and gradients
// from fixed formulas.
func testParams() []*nn.Param {
	w := nn.NewParam("fc.weight", 4, 5)
	b := nn.NewParam("fc.bias", 4)
	b.NoDecay = true
	ps := []*nn.Param{w, b}
	for k, p := range ps {
		for j := range p.Value.Data {
			p.Value.Data[j] = float32(math.Cos(0.3*float64(j) + float64(k)))
			p.Grad.Data[j] = float32(math.Sin(0.7*float64(j)+float64(k))) / 10
		}
	}
	return ps
}

func cloneParams(ps []*nn.Param) []*nn.Param {
	out := make([]*nn.Param, len(ps))
	for i, p := range ps {
		out[i] = &nn.Param{Name: p.Name, Value: p.Value.Clone(), NoDecay: p.NoDecay}
		if p.Grad != nil {
			out[i].Grad = p.Grad.Clone()
		}
	}
	return out
}

// conformance lists every optimizer New makes, with and without weight decay.
func conformance(t *testing.T) map[string]Optimizer {
	t.Helper()
	opts := map[string]Optimizer{}
	for _, name := range Names {
		for _, wd := range []float64{0, 0.01} {
			o, err := New(name, Config{WeightDecay: wd})
			if err != nil {
				t.Fatal(err)
			}
			opts[o.(interface{ String() string }).String()] = o
		}
	}
	return opts
}

// TestOptimizerConformance runs the checks every Optimizer must pass.
func TestOptimizerConformance(t *testing.T) {
	for desc, o := range conformance(t) {
		t.Run(desc, func(t *testing.T) {
			if !slices.Contains([]string{"sgd", "adam", "adamw"}, o.Name()) {
				t.Errorf("Name() = %q", o.Name())
			}
			if o.State() != nil {
				t.Errorf("State() before the first Step = %d tensors, want nil", len(o.State()))
			}
			ps := testParams()
			o.Step(ps, 0.01)
			if allocs := testing.AllocsPerRun(10, func() { o.Step(ps, 0.01) }); allocs != 0 {
				t.Errorf("warm Step allocates %v times, want 0", allocs)
			}

			// State is a copy: stepping on does not change it.
			state := o.State()
			before := cloneParams(state)
			o.Step(ps, 0.01)
			for i := range state {
				if !slices.Equal(state[i].Value.Data, before[i].Value.Data) {
					t.Errorf("State()[%d] %s changed with the next Step", i, state[i].Name)
				}
			}
			for _, st := range state {
				if st.Grad != nil {
					t.Errorf("state %s has a gradient", st.Name)
				}
			}

			// Empty state resets the optimizer to before its first Step.
			if err := o.SetState(ps, nil); err != nil {
				t.Fatal(err)
			}
			if o.State() != nil {
				t.Error("State() after SetState(nil) is not nil")
			}
		})
	}
}

// TestZeroGradientNoDecayKeepsParams: with no gradient and no weight decay,
// no optimizer moves a parameter (Adam's update is 0/(0+eps)).
func TestZeroGradientNoDecayKeepsParams(t *testing.T) {
	for _, name := range Names {
		o, _ := New(name, Config{})
		ps := testParams()
		for _, p := range ps {
			p.Grad.Zero()
		}
		want := cloneParams(ps)
		for range 3 {
			o.Step(ps, 0.1)
		}
		for i := range ps {
			if !slices.Equal(ps[i].Value.Data, want[i].Value.Data) {
				t.Errorf("%s moved %s with zero gradients", name, ps[i].Name)
			}
		}
	}
}

// TestNoDecay checks that NoDecay parameters skip weight decay by default and
// take it with DecayAll: with zero gradients only decay moves a parameter.
func TestNoDecay(t *testing.T) {
	for _, name := range Names {
		for _, decayAll := range []bool{false, true} {
			o, _ := New(name, Config{WeightDecay: 0.1, DecayAll: decayAll})
			ps := testParams()
			for _, p := range ps {
				p.Grad.Zero()
			}
			want := cloneParams(ps)
			o.Step(ps, 0.1)
			wMoved := !slices.Equal(ps[0].Value.Data, want[0].Value.Data)
			bMoved := !slices.Equal(ps[1].Value.Data, want[1].Value.Data)
			if !wMoved || bMoved != decayAll {
				t.Errorf("%s DecayAll=%v: weight moved %v (want true), NoDecay bias moved %v (want %v)",
					name, decayAll, wMoved, bMoved, decayAll)
			}
		}
	}
}

func TestStateNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"sgd", nil},
		{"momentum", []string{"fc.weight.momentum", "fc.bias.momentum"}},
		{"nesterov", []string{"fc.weight.momentum", "fc.bias.momentum"}},
		{"adam", []string{"adam.step", "fc.weight.adam.m", "fc.weight.adam.v", "fc.bias.adam.m", "fc.bias.adam.v"}},
		{"adamw", []string{"adam.step", "fc.weight.adam.m", "fc.weight.adam.v", "fc.bias.adam.m", "fc.bias.adam.v"}},
	} {
		o, _ := New(tc.name, Config{})
		ps := testParams()
		o.Step(ps, 0.1)
		o.Step(ps, 0.1)
		var got []string
		for _, st := range o.State() {
			got = append(got, st.Name)
			if st.Name == "adam.step" {
				if !tensor.EqualShape(st.Value.Shape, []int{1}) || st.Value.Data[0] != 2 {
					t.Errorf("%s: adam.step is %v %v, want (1) [2]", tc.name, st.Value.Shape, st.Value.Data)
				}
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: state names %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestSetStateMismatch checks that state for other parameters, or from
// another optimizer, is a StateError and changes nothing.
func TestSetStateMismatch(t *testing.T) {
	renamed := func(ps []*nn.Param) []*nn.Param { ps[1].Name = "fc2.bias"; return ps }
	reshaped := func(ps []*nn.Param) []*nn.Param {
		ps[0] = nn.NewParam("fc.weight", 5, 4)
		return ps
	}
	extra := func(ps []*nn.Param) []*nn.Param { return append(ps, nn.NewParam("fc2.weight", 3)) }
	fewer := func(ps []*nn.Param) []*nn.Param { return ps[:1] }
	duplicate := func(ps []*nn.Param) []*nn.Param { ps[1].Name = ps[0].Name; return ps }
	unnamed := func(ps []*nn.Param) []*nn.Param { ps[0].Name = ""; return ps }

	for _, tc := range []struct {
		desc     string
		from, to string // optimizer names for New
		params   func([]*nn.Param) []*nn.Param
		state    func([]*nn.Param) []*nn.Param
		wantErr  string
	}{
		{"renamed parameter", "adam", "adam", renamed, nil, `unexpected state "fc.bias.adam.m"`},
		{"reshaped parameter", "momentum", "momentum", reshaped, nil, `"fc.weight.momentum" has shape (4, 5), want (5, 4)`},
		{"parameter added", "adam", "adam", extra, nil, `no state "fc2.weight.adam.m"`},
		{"parameter dropped", "momentum", "momentum", fewer, nil, `unexpected state "fc.bias.momentum"`},
		{"duplicate names", "adam", "adam", duplicate, nil, `two parameters are named "fc.weight"`},
		{"unnamed parameter", "adam", "adam", unnamed, nil, "parameter 0 has no name"},
		{"sgd state into adam", "momentum", "adam", nil, nil, `unexpected state "fc.weight.momentum"`},
		{"adam state into sgd", "adam", "nesterov", nil, nil, `unexpected state "adam.step"`},
		{"state into plain sgd", "momentum", "sgd", nil, nil, "SGD without momentum keeps no state"},
		{"repeated tensor", "momentum", "momentum", nil, func(s []*nn.Param) []*nn.Param { return append(s, s[0]) }, "appears twice"},
		{"nil tensor", "momentum", "momentum", nil, func(s []*nn.Param) []*nn.Param { s[0].Value = nil; return s }, "no well-formed tensor"},
		{"fractional step", "adam", "adam", nil, func(s []*nn.Param) []*nn.Param { s[0].Value.Data[0] = 2.5; return s }, "adam.step is 2.5, not a step count"},
		{"negative step", "adamw", "adamw", nil, func(s []*nn.Param) []*nn.Param { s[0].Value.Data[0] = -1; return s }, "not a step count"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			src, _ := New(tc.from, Config{})
			ps := testParams()
			src.Step(ps, 0.1)
			state := src.State()
			if tc.state != nil {
				state = tc.state(state)
			}
			dst, _ := New(tc.to, Config{})
			dst.Step(testParams(), 0.1)
			before := dst.State()
			target := testParams()
			if tc.params != nil {
				target = tc.params(target)
			}
			err := dst.SetState(target, state)
			var se StateError
			if !errors.As(err, &se) {
				t.Fatalf("SetState error = %v, want a StateError", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "optim: ") {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			after := dst.State()
			if len(after) != len(before) {
				t.Fatalf("failed SetState changed the state from %d to %d tensors", len(before), len(after))
			}
			for i := range after {
				if after[i].Name != before[i].Name || !slices.Equal(after[i].Value.Data, before[i].Value.Data) {
					t.Errorf("failed SetState changed %s", after[i].Name)
				}
			}
		})
	}
}

func TestStepPanicsOnOtherParams(t *testing.T) {
	for _, tc := range []struct {
		desc   string
		params func() []*nn.Param
	}{
		{"fewer parameters", func() []*nn.Param { return testParams()[:1] }},
		{"resized parameter", func() []*nn.Param { ps := testParams(); ps[0] = nn.NewParam("fc.weight", 3); return ps }},
		{"gradient of another size", func() []*nn.Param { ps := testParams(); ps[0].Grad = tensor.New(3); return ps }},
	} {
		o, _ := New("adam", Config{})
		o.Step(testParams(), 0.1)
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "optim: ") {
					t.Errorf("%s: Step recovered %v, want an optim panic", tc.desc, r)
				}
			}()
			o.Step(tc.params(), 0.1)
		}()
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // String() of the result
	}{
		{"sgd", Config{}, "sgd()"},
		{"sgd", Config{Momentum: 0.5, WeightDecay: 1e-4}, "sgd(momentum=0.5, weight_decay=0.0001)"},
		{"momentum", Config{}, "sgd(momentum=0.9)"},
		{"momentum", Config{Momentum: 0.99}, "sgd(momentum=0.99)"},
		{"nesterov", Config{WeightDecay: 5e-4, DecayAll: true}, "sgd(momentum=0.9, nesterov, weight_decay=0.0005, decay_all)"},
		{"adam", Config{}, "adam(beta1=0.9, beta2=0.999, eps=1e-08)"},
		{"adam", Config{Beta1: 0.5, Beta2: 0.99, Eps: 1e-6}, "adam(beta1=0.5, beta2=0.99, eps=1e-06)"},
		{"adamw", Config{WeightDecay: 0.01}, "adamw(beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01)"},
	} {
		o, err := New(tc.name, tc.cfg)
		if err != nil {
			t.Errorf("New(%q, %+v): %v", tc.name, tc.cfg, err)
			continue
		}
		if got := o.(interface{ String() string }).String(); got != tc.want {
			t.Errorf("New(%q, %+v) = %s, want %s", tc.name, tc.cfg, got, tc.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"adagrad", Config{}, `unknown optimizer "adagrad"; valid: sgd, momentum, nesterov, adam, adamw`},
		{"SGD", Config{}, `unknown optimizer "SGD"`},
		{"sgd", Config{Momentum: 1}, "momentum 1 is outside [0, 1)"},
		{"momentum", Config{Momentum: -0.5}, "momentum -0.5 is outside [0, 1)"},
		{"sgd", Config{Momentum: math.NaN()}, "momentum NaN is outside [0, 1)"},
		{"sgd", Config{WeightDecay: -1}, "weight decay -1 is negative"},
		{"sgd", Config{Beta1: 0.9}, "sgd takes no betas or eps"},
		{"adam", Config{Momentum: 0.9}, "adam takes no momentum; set Beta1 instead"},
		{"adam", Config{Beta1: 1}, "beta1 1 is outside [0, 1)"},
		{"adamw", Config{Beta2: 1.5}, "beta2 1.5 is outside [0, 1)"},
		{"adam", Config{Eps: -1e-8}, "eps -1e-08 is not a finite value >= 0"},
		{"adamw", Config{WeightDecay: math.NaN()}, "weight decay NaN is negative"},
	} {
		_, err := New(tc.name, tc.cfg)
		var ce ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("New(%q, %+v) error = %v, want a ConfigError", tc.name, tc.cfg, err)
			continue
		}
		if want := "optim: invalid config: " + tc.wantErr; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("New(%q, %+v) error\n  %s\nwant\n  %s", tc.name, tc.cfg, err, want)
		}
	}
}

// TestSGDMomentumLargeParams steps parameters large enough that the
// momentum step is spread over the threads, with one parameter exempt from
// weight decay, and checks every weight and momentum value against the
// update in float64 over three steps, and that 1 and 2 threads give the
// same bits.
func TestSGDMomentumLargeParams(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	const lr, mu, wd = 0.05, 0.9, 1e-2
	run := func(threads int) []*nn.Param {
		kernel.SetThreads(threads)
		rng := rand.New(rand.NewPCG(1, 2))
		params := []*nn.Param{nn.NewParam("a", 300, 200), nn.NewParam("b", 77), nn.NewParam("c", 40001)}
		params[1].NoDecay = true
		for _, p := range params {
			for i := range p.Value.Data {
				p.Value.Data[i] = 2*rng.Float32() - 1
			}
		}
		o := &SGD{Momentum: mu, WeightDecay: wd}
		bufs := make([][]float64, len(params)) // the momentum, in float64 from the float32 values
		for k, p := range params {
			bufs[k] = make([]float64, len(p.Value.Data))
		}
		for step := 0; step < 3; step++ {
			type want struct{ w, b float64 }
			wants := make([][]want, len(params))
			for k, p := range params {
				d := float64(wd)
				if p.NoDecay {
					d = 0
				}
				wants[k] = make([]want, len(p.Value.Data))
				for i := range p.Grad.Data {
					p.Grad.Data[i] = 2*rng.Float32() - 1
					b := mu*bufs[k][i] + float64(p.Grad.Data[i]) + d*float64(p.Value.Data[i])
					wants[k][i] = want{float64(p.Value.Data[i]) - lr*b, b}
				}
			}
			o.Step(params, lr)
			for k, p := range params {
				for i, v := range p.Value.Data {
					b := o.momentum.bufs[0][k][i]
					if math.Abs(float64(v)-wants[k][i].w) > 1e-6 || math.Abs(float64(b)-wants[k][i].b) > 1e-5 {
						t.Fatalf("%d threads, step %d, %s[%d]: w %v b %v, want %v %v",
							threads, step, p.Name, i, v, b, wants[k][i].w, wants[k][i].b)
					}
					bufs[k][i] = float64(b)
				}
			}
		}
		return params
	}
	one, two := run(1), run(2)
	for k := range one {
		for i := range one[k].Value.Data {
			if one[k].Value.Data[i] != two[k].Value.Data[i] {
				t.Fatalf("%s[%d]: 1 thread %v, 2 threads %v", one[k].Name, i, one[k].Value.Data[i], two[k].Value.Data[i])
			}
		}
	}
}

func TestDefaultLR(t *testing.T) {
	for _, name := range Names {
		want := 0.05
		if name == "adam" || name == "adamw" {
			want = 0.001
		}
		if got := DefaultLR(name); got != want {
			t.Errorf("DefaultLR(%q) = %g, want %g", name, got, want)
		}
	}
}

package optim

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestScheduleValues(t *testing.T) {
	const base = 0.1
	for _, tc := range []struct {
		spec  string
		total int
		at    map[int]float64 // step -> rate
	}{
		{"constant", 100, map[int]float64{0: 0.1, 50: 0.1, 99: 0.1}},
		{"step:30:0.1", 100, map[int]float64{0: 0.1, 29: 0.1, 30: 0.01, 59: 0.01, 60: 0.001, 90: 0.0001}},
		{"step:2:0.5", 10, map[int]float64{0: 0.1, 1: 0.1, 2: 0.05, 4: 0.025}},
		{"cosine", 100, map[int]float64{0: 0.1, 25: 0.1 * (1 + math.Sqrt2/2) / 2, 50: 0.05, 100: 0, 150: 0}},
		{"cosine:0.02", 100, map[int]float64{0: 0.1, 50: 0.06, 100: 0.02}},
		{"cosine", 0, map[int]float64{0: 0.1, 7: 0.1}}, // unknown length: no annealing
		// The ramp reaches the rate at step 3; the cosine then runs over the
		// remaining 100 steps.
		{"warmup:4+cosine", 104, map[int]float64{0: 0.025, 1: 0.05, 2: 0.075, 3: 0.1, 4: 0.1, 54: 0.05, 104: 0}},
		{"warmup:4", 10, map[int]float64{0: 0.025, 3: 0.1, 9: 0.1}},
		{"warmup:2+step:3:0.1", 20, map[int]float64{0: 0.05, 1: 0.1, 4: 0.1, 5: 0.01}},
		{"warmup:2+cosine:0.02", 2, map[int]float64{0: 0.05, 1: 0.1}}, // nothing left after the ramp
		{" cosine ", 100, map[int]float64{50: 0.05}},
	} {
		s, err := ParseSchedule(tc.spec, base)
		if err != nil {
			t.Errorf("ParseSchedule(%q): %v", tc.spec, err)
			continue
		}
		for step, want := range tc.at {
			if got := s.LR(step, tc.total); math.Abs(float64(got)-want) > 1e-7*want+1e-12 {
				t.Errorf("%s: LR(%d, %d) = %.9g, want %.9g", tc.spec, step, tc.total, got, want)
			}
		}
	}
}

// TestWarmupRampIsLinear checks that every warm-up step adds the same amount.
func TestWarmupRampIsLinear(t *testing.T) {
	s := Warmup{Steps: 10, Then: Cosine{Base: 0.5}}
	const total = 110
	for step := range 10 {
		want := 0.5 * float64(step+1) / 10
		if got := s.LR(step, total); math.Abs(float64(got)-want) > 1e-7 {
			t.Errorf("LR(%d) = %g, want %g", step, got, want)
		}
	}
}

func TestScheduleString(t *testing.T) {
	for _, spec := range []string{"constant", "step:30:0.1", "cosine", "cosine:1e-05",
		"warmup:5+constant", "warmup:500+cosine:0.0001", "warmup:3+step:10:0.5"} {
		s, err := ParseSchedule(spec, 0.1)
		if err != nil {
			t.Fatalf("ParseSchedule(%q): %v", spec, err)
		}
		if s.String() != spec {
			t.Errorf("ParseSchedule(%q).String() = %q", spec, s.String())
		}
	}
	if s, _ := ParseSchedule("warmup:5", 0.1); s.String() != "warmup:5+constant" {
		t.Errorf(`ParseSchedule("warmup:5").String() = %q, want "warmup:5+constant"`, s)
	}
}

func TestParseScheduleErrors(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		base    float64
		wantErr string
	}{
		{"", 0.1, `schedule "": unknown schedule ""; valid: constant, step:EVERY:GAMMA, cosine[:FLOOR], warmup:STEPS[+SCHEDULE]`},
		{"linear", 0.1, `unknown schedule "linear"`},
		{"Cosine", 0.1, `unknown schedule "Cosine"`},
		{"constant:1", 0.1, "constant takes no arguments"},
		{"step", 0.1, "want step:EVERY:GAMMA, e.g. step:30:0.1"},
		{"step:30", 0.1, "want step:EVERY:GAMMA"},
		{"step:30:0.1:2", 0.1, "want step:EVERY:GAMMA"},
		{"step:0:0.1", 0.1, `EVERY "0" is not a whole number of steps above 0`},
		{"step:1.5:0.1", 0.1, `EVERY "1.5" is not a whole number`},
		{"step:30:x", 0.1, `GAMMA "x" is not a positive number`},
		{"step:30:0", 0.1, `GAMMA "0" is not a positive number`},
		{"step:30:inf", 0.1, `GAMMA "inf" is not a positive number`},
		{"step:30:NaN", 0.1, `GAMMA "NaN" is not a positive number`},
		{"cosine:", 0.1, `FLOOR "" is not a rate between 0 and the base rate 0.1`},
		{"cosine:-1", 0.1, `FLOOR "-1" is not a rate`},
		{"cosine:0.5", 0.1, `FLOOR "0.5" is not a rate between 0 and the base rate 0.1`},
		{"warmup", 0.1, "want warmup:STEPS or warmup:STEPS+SCHEDULE"},
		{"warmup:0+cosine", 0.1, "STEPS a whole number above 0"},
		{"warmup:5+", 0.1, "want a schedule after +"},
		{"warmup:5+cosine:2", 0.1, `schedule "cosine:2": FLOOR "2"`},
		{"warmup:5+bogus", 0.1, `schedule "bogus": unknown schedule "bogus"`},
		{"cosine", 0, "learning rate 0 is not a positive float32"},
		{"cosine", math.Inf(1), "learning rate +Inf is not a positive float32"},
		{"cosine", 1e39, "learning rate 1e+39 is not a positive float32"},
	} {
		_, err := ParseSchedule(tc.spec, tc.base)
		var ce ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("ParseSchedule(%q, %g) error = %v, want a ConfigError", tc.spec, tc.base, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseSchedule(%q, %g) error\n  %s\ndoes not say\n  %s", tc.spec, tc.base, err, tc.wantErr)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, spec := range []string{"constant", "step:30:0.1", "cosine", "cosine:1e-5",
		"warmup:5", "warmup:5+cosine", "warmup:2+warmup:3+step:1:2", "step:1:1e300", "cosine:"} {
		f.Add(spec, 0.1)
	}
	f.Fuzz(func(t *testing.T, spec string, base float64) {
		s, err := ParseSchedule(spec, base)
		if err != nil {
			return
		}
		again, err := ParseSchedule(s.String(), base)
		if err != nil {
			t.Fatalf("%q parses, but its String %q does not: %v", spec, s.String(), err)
		}
		if again.String() != s.String() {
			t.Fatalf("String %q reads back as %q", s.String(), again.String())
		}
		for _, step := range []int{0, 1, 7, 99, 1000} {
			lr, lr2 := s.LR(step, 100), again.LR(step, 100)
			if lr != lr2 {
				t.Fatalf("%q: LR(%d) = %g, read back from %q it is %g", spec, step, lr, s.String(), lr2)
			}
			if math.IsNaN(float64(lr)) || lr < 0 {
				t.Fatalf("%q with base %g: LR(%d) = %g", spec, base, step, lr)
			}
		}
	})
}

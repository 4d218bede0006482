package bench

import "testing"

func TestCPUName(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\nflags\t\t: fpu\n\n" +
		"processor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: Other\n"
	if got, want := cpuName(info), "AMD EPYC (family 25, model 17)"; got != want {
		t.Errorf("cpuName = %q, want %q", got, want)
	}
	if got, want := cpuName("model name\t: Some CPU\n"), "Some CPU"; got != want {
		t.Errorf("cpuName without family = %q, want %q", got, want)
	}
}

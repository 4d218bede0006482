package bench

import (
	"os"
	"runtime"
	"strings"
)

// CPUName describes the processor from /proc/cpuinfo: its model name and,
// where given, its family and model numbers, as in "AMD EPYC (family 25,
// model 17)". Virtual machines often show a bare model name, and the same
// name has covered hosts of different generations: AMD's family 25 is
// Zen 3 and Zen 4, whose AVX-512 units are 256 bits wide, and family 26 is
// Zen 5, with full-width ones and twice the FMA peak a core. Without
// /proc/cpuinfo it returns the architecture.
func CPUName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	return cpuName(string(b))
}

// cpuName is CPUName on the text of /proc/cpuinfo; the first processor's
// fields are read.
func cpuName(info string) string {
	var name, family, model string
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			if name != "" { // the end of the first processor's block
				break
			}
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "model name":
			name = v
		case "cpu family":
			family = v
		case "model":
			model = v
		}
	}
	if name == "" {
		name = runtime.GOARCH
	}
	if family != "" && model != "" {
		name += " (family " + family + ", model " + model + ")"
	}
	return name
}

// Package cputime reads the CPU time the process has used, for benchmarks
// on a shared machine: time spent descheduled while other jobs run inflates
// wall time and not CPU time, so figures per CPU second compare across runs
// that wall-clock figures do not.
package cputime

import (
	"syscall"
	"time"
)

// Seconds is the user and system CPU time of the process so far, or 0 if
// the system does not say.
func Seconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

//go:build amd64 && !noasm

package kernel

// spinPause runs one PAUSE, the hint for a spin-wait loop: it lets the
// core's other work run and keeps the loop from flooding the memory system
// with reads of the flag it polls.
func spinPause()

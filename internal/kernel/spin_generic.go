//go:build !amd64 || noasm

package kernel

// spinPause is a no-op where there is no pause instruction in the kernels'
// assembly: spin loops then just poll.
func spinPause() {}

//go:build !amd64 || noasm

package kernel

// gemmKernelForCPU returns the micro-kernel Sgemm uses: without assembly,
// always the pure-Go one.
func gemmKernelForCPU() *gemmKernel { return &goKernel }

// Package kernel holds the engine's numeric routines over plain []float32:
// matrix multiply (GEMM), im2col/col2im for convolution, pooling and
// activation loops, and the worker pool that spreads them over cores.
//
// Every routine here has a pure-Go path that is the reference; fast paths
// (assembly, when present) are checked against it in tests. Nothing in this
// package knows about tensors or layers.
package kernel

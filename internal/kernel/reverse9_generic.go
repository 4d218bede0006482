//go:build !amd64 || noasm

package kernel

func reverse9(dst []float32, ldd int, src []float32, n int) { reverse9Go(dst, ldd, src, n) }

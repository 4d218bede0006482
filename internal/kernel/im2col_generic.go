//go:build !amd64 || noasm

package kernel

func addTo(dst, src []float32) { addToGo(dst, src) }

func copyAddScalar(dst, src []float32, b float32) { copyAddScalarGo(dst, src, b) }

//go:build !amd64 || noasm

package kernel

func addTo(dst, src []float32) { addToGo(dst, src) }

//go:build !amd64 || noasm

package kernel

func adamStep(w, g, m, v []float32, k *AdamConsts) { adamStepGo(w, g, m, v, k) }

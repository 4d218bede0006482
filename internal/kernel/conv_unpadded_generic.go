//go:build !amd64 || noasm

package kernel

func convGemm3Unpadded(p *UnpaddedPlan, w []float32, ldw int, x []float32, c []float32, ldc int) {
	convGemm3UnpaddedGo(p, w, ldw, x, c, ldc)
}

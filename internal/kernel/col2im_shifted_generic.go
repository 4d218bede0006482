//go:build !amd64 || noasm

package kernel

func shiftedCol2im(p *ShiftedCol2im, col, dxp []float32) { shiftedCol2imGo(p, col, dxp) }

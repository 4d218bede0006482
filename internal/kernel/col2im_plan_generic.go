//go:build !amd64 || noasm

package kernel

func col2imSet(p *Col2imPlan, col, dxp []float32) { col2imSetGo(p, col, dxp) }

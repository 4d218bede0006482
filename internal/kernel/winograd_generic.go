//go:build !amd64 || noasm

package kernel

func winogradFast() bool { return false }

func winogradBlock(xp []float32, ldx, cs int, u []float32, f int, out []float32, ldo, plane int, v []float32) {
	winogradBlockGo(xp, ldx, cs, u, f, out, ldo, plane, v)
}

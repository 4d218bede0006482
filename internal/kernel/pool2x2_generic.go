//go:build !amd64 || noasm

package kernel

func maxPool2x2Row(r0, r1, y []float32, arg []int32, base, w int) {
	maxPool2x2RowGo(r0, r1, y, arg, base, w)
}

func maxPool2x2Image(g PoolGeom, x, y []float32, arg []int32) bool { return false }

func maxPool2x2BackwardImage(g PoolGeom, dy []float32, arg []int32, dx []float32) bool { return false }

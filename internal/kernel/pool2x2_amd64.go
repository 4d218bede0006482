//go:build amd64 && !noasm

package kernel

func maxPool2x2Row(r0, r1, y []float32, arg []int32, base, w int) {
	if hasAVX2FMA {
		maxPool2x2RowAVX2(r0, r1, y, arg, base, w)
		return
	}
	maxPool2x2RowGo(r0, r1, y, arg, base, w)
}

// maxPool2x2RowAVX2 is maxPool2x2RowGo in AVX2, 8 windows at a time, the
// last up to 7 through masked loads and stores:
//
//	for ox := range y {
//		m, k := max4(r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1])
//		y[ox] = m
//		arg[ox] = int32(base + (k>>1)*w + 2*ox + (k & 1))
//	}
//
// r0 and r1 must hold 2·len(y) values and arg len(y); base and w must fit
// an int32.
//
//go:noescape
func maxPool2x2RowAVX2(r0, r1, y []float32, arg []int32, base, w int)

// pool2x2Ramp is 2·i in lane i: the column of each window's first tap.
var pool2x2Ramp = [8]int32{0, 2, 4, 6, 8, 10, 12, 14}

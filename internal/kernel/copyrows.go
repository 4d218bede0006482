package kernel

import "fmt"

// CopyRows copies rows rows of cols values from src, rows lds apart, to dst,
// rows ldd apart. Convolutions move images and gradients between row
// widths (padding, the wide and shifted layouts) in rows of a few dozen
// values, where a call of copy per row costs as much as the copy itself;
// this is one call for all of them.
func CopyRows(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	CopyPlanes(dst, ldd, 0, src, lds, 0, 1, rows, cols)
}

// CopyPlanes is CopyRows over planes planes of rows rows each, the planes
// dp values apart in dst and sp values apart in src:
//
//	dst[p·dp + r·ldd + j] = src[p·sp + r·lds + j],   p < planes, r < rows, j < cols
//
// PadImage and UnpadImage move a whole image so, in one call: on
// 128-channel 8×8 images a call per channel had cost as much as the copy.
func CopyPlanes(dst []float32, ldd, dp int, src []float32, lds, sp, planes, rows, cols int) {
	if planes <= 0 || rows <= 0 || cols <= 0 {
		return
	}
	dPlane, sPlane := (rows-1)*ldd+cols, (rows-1)*lds+cols // values a plane spans
	dLen, sLen := (planes-1)*dp+dPlane, (planes-1)*sp+sPlane
	if ldd < cols || lds < cols || planes > 1 && (dp < dPlane || sp < sPlane) || len(dst) < dLen || len(src) < sLen {
		panic(fmt.Sprintf("kernel: CopyPlanes: %d planes of %d rows of %d do not fit (dst %d, ldd %d, dp %d, src %d, lds %d, sp %d)",
			planes, rows, cols, len(dst), ldd, dp, len(src), lds, sp))
	}
	copyPlanes(dst, ldd, dp, src, lds, sp, planes, rows, cols)
}

func copyPlanesGo(dst []float32, ldd, dp int, src []float32, lds, sp, planes, rows, cols int) {
	for p := 0; p < planes; p++ {
		for r := 0; r < rows; r++ {
			copy(dst[p*dp+r*ldd:][:cols], src[p*sp+r*lds:][:cols])
		}
	}
}

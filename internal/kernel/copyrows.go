package kernel

import "fmt"

// CopyRows copies rows rows of cols values from src, rows lds apart, to dst,
// rows ldd apart. Convolutions move images and gradients between row
// widths (padding, the wide and shifted layouts) in rows of a few dozen
// values, where a call of copy per row costs as much as the copy itself;
// this is one call for all of them.
func CopyRows(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	if ldd < cols || lds < cols || len(dst) < (rows-1)*ldd+cols || len(src) < (rows-1)*lds+cols {
		panic(fmt.Sprintf("kernel: CopyRows: %d rows of %d do not fit (dst %d, ldd %d, src %d, lds %d)",
			rows, cols, len(dst), ldd, len(src), lds))
	}
	copyRows(dst, ldd, src, lds, rows, cols)
}

func copyRowsGo(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:][:cols], src[r*lds:][:cols])
	}
}

package kernel

// Transpose sets dst (cols × rows) to the transpose of src (rows × cols),
// both row-major: dst[c·rows + r] = src[r·cols + c]. Blocks of 8×8 go
// through vector registers where the CPU allows (packCols).
func Transpose(rows, cols int, src, dst []float32) {
	if rows == 0 || cols == 0 {
		return
	}
	_ = src[rows*cols-1]
	_ = dst[rows*cols-1]
	packCols(cols, rows, src, cols, dst, rows)
}

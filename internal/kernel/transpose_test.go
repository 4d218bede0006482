package kernel

import (
	"fmt"
	"testing"
)

// TestTranspose checks Transpose against the definition on shapes that
// leave every tail of the 8×8 blocks: rows and columns below, at and past
// multiples of 8, and the weight gradients' shapes (C·KH·KW × F).
func TestTranspose(t *testing.T) {
	shapes := [][2]int{{1, 1}, {1, 9}, {9, 1}, {7, 8}, {8, 8}, {8, 17}, {17, 8}, {15, 31}, {288, 32}, {577, 64}}
	for _, s := range shapes {
		rows, cols := s[0], s[1]
		t.Run(fmt.Sprintf("%dx%d", rows, cols), func(t *testing.T) {
			src := make([]float32, rows*cols)
			for i := range src {
				src[i] = float32(i + 1)
			}
			dst := make([]float32, rows*cols)
			Transpose(rows, cols, src, dst)
			for r := 0; r < rows; r++ {
				for c := 0; c < cols; c++ {
					if got, want := dst[c*rows+r], src[r*cols+c]; got != want {
						t.Fatalf("dst[%d][%d] = %v, want %v", c, r, got, want)
					}
				}
			}
		})
	}
}

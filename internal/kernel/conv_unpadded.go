package kernel

import (
	"encoding/binary"
	"fmt"
)

// Virtual padding for the input gradient of a 3-channel layer. CIFAR's
// first layer (32×3×32×32, 32 filters, 3×3, pad 1) computed its input
// gradient from a zero-padded copy of each example's output gradient,
// 32 planes of 34×34: the copy took 10-12% of the layer's forward and
// backward passes. Here the kernel reads the output gradient where it is,
// each run of 16 pixels through a masked load whose lanes outside the image
// read nothing and are zero: the same products, in the same order, as from
// the padded copy, so the same bits.

// UnpaddedPlan is what ConvGemm3Unpadded needs to read an image as if it
// were zero-padded for g. The product is tiled as the padded path tiles it,
// 128 output pixels a tile, eight runs of 16 pixels of one output row each.
// For run r of a tile, row p of the column matrix is the 16 values at
// x[base(r) + off[p]], where base(r) = oy·W + ox is the run's first output
// pixel in the image's layout, and lane l is read only where bit l of the
// run's mask for p is set. The masks depend only on where a tile lies
// against the image's edges, so tiles share tables: CIFAR's 8 tiles an
// image take 3 (top, middle, bottom).
type UnpaddedPlan struct {
	g      ConvGeom
	off    []int32  // off[p] = c·H·W + (ki·DH - PadT)·W + kj·DW - PadL
	tables []uint16 // per table, per p, one mask for each of a tile's 8 runs
	tile   []int32  // tile t's table starts at tables[tile[t]]

	// steady[t] holds tile t's masks when they repeat every 3 steps and
	// alternate between even and odd runs, but for the first or last
	// image row's runs (steadyMasks); ok is false for the other tiles.
	steady []steadyMasks
}

// steadyMasks are a tile's masks when, for every step p and run r,
//
//	mask[p][r] = 0                   if edge skips run r at step p,
//	           = m[3·(r%2) + p%3]    else,
//
// and the step count is a multiple of 3 (of 9 with an edge). In the middle
// rows of a 3×3 kernel's padded image, 32-wide rows, the left edge masks
// lane 0 of the even runs at kj = 0 and the right edge lane 15 of the odd
// runs at kj = 2 (in 16-wide rows both edges fall in every run). A tile
// of the top rows has, besides, nothing for its first output row (runs 0
// and 1) at the kernel's row ki = 0, steps p with p%9 < 3, and a tile of
// the bottom rows nothing for its last (runs 6, 7) at ki = 2, p%9 ≥ 6.
type steadyMasks struct {
	m    [6]uint16
	edge int // steadyMiddle, steadyTop or steadyBottom
	ok   bool
}

const (
	steadyMiddle = iota
	steadyTop
	steadyBottom
)

// skips reports whether the edge skips run r at step p.
func (s *steadyMasks) skips(p, r int) bool {
	switch s.edge {
	case steadyTop:
		return p%9 < 3 && r < 2
	case steadyBottom:
		return p%9 >= 6 && r >= 6
	}
	return false
}

// steadyOf returns a table's steadyMasks (k steps of 8 runs): a middle
// tile's, else a top or bottom tile's, else none.
func steadyOf(table []uint16, k int) steadyMasks {
	for _, edge := range []int{steadyMiddle, steadyTop, steadyBottom} {
		s := steadyMasks{edge: edge}
		if k%3 != 0 || edge != steadyMiddle && k%9 != 0 {
			continue
		}
		// The masks from steps 3-5 (ki = 1), which no edge skips, or
		// 0-2 when there are only 3.
		at := min(3, k-3)
		for r := range 2 {
			for q := range 3 {
				s.m[3*r+q] = table[(at+q)*8+r]
			}
		}
		s.ok = true
		for p := 0; p < k && s.ok; p++ {
			for r := range 8 {
				want := s.m[3*(r%2)+p%3]
				if s.skips(p, r) {
					want = 0
				}
				if table[p*8+r] != want {
					s.ok = false
					break
				}
			}
		}
		if s.ok {
			return s
		}
	}
	return steadyMasks{}
}

// unpaddedTile is the number of output pixels of one tile, in 8 runs of 16.
const unpaddedTile = 128

// NewUnpaddedPlan plans ConvGemm3Unpadded for g, or reports false when it
// does not apply: stride other than 1, output rows not a multiple of 16
// wide, or an output not a whole number of tiles.
func NewUnpaddedPlan(g ConvGeom) (*UnpaddedPlan, bool) {
	oh, ow := g.OutH(), g.OutW()
	if g.SH != 1 || g.SW != 1 || oh <= 0 || ow <= 0 || ow%16 != 0 || oh*ow%unpaddedTile != 0 {
		return nil, false
	}
	k := g.ColRows()
	p := &UnpaddedPlan{g: g, off: make([]int32, 0, k)}
	for c := 0; c < g.C; c++ {
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				p.off = append(p.off, int32(c*g.H*g.W+(ki*g.DH-g.PadT)*g.W+kj*g.DW-g.PadL))
			}
		}
	}
	seen := map[string]int32{}
	table := make([]uint16, k*8)
	for t := 0; t < oh*ow/unpaddedTile; t++ {
		for r := 0; r < 8; r++ {
			j := t*unpaddedTile + 16*r
			oy, ox := j/ow, j%ow
			q := 0
			for c := 0; c < g.C; c++ {
				for ki := 0; ki < g.KH; ki++ {
					for kj := 0; kj < g.KW; kj++ {
						table[q*8+r] = laneMask(oy+ki*g.DH-g.PadT, g.H, ox+kj*g.DW-g.PadL, g.W)
						q++
					}
				}
			}
		}
		b := make([]byte, 0, 2*len(table))
		for _, m := range table {
			b = binary.LittleEndian.AppendUint16(b, m)
		}
		key := string(b)
		at, ok := seen[key]
		if !ok {
			at = int32(len(p.tables))
			seen[key] = at
			p.tables = append(p.tables, table...)
		}
		p.tile = append(p.tile, at)
		p.steady = append(p.steady, steadyOf(p.tables[at:][:k*8], k))
	}
	return p, true
}

// laneMask returns the mask of the 16 lanes of a run that starts at column
// col of row row, in an image h rows by w columns: the lanes whose pixel
// lies inside it.
func laneMask(row, h, col, w int) uint16 {
	if row < 0 || row >= h {
		return 0
	}
	var m uint16
	for l := 0; l < 16; l++ {
		if c := col + l; c >= 0 && c < w {
			m |= 1 << l
		}
	}
	return m
}

// ConvGemm3Unpadded computes C (3 × OH·OW) = W · B for the three rows of
// w (ldw apart, p.g.ColRows() values each) and B the column matrix of the
// image x (C planes H×W) zero-padded as p's geometry says, without padding
// x. C's rows are ldc apart and overwritten. It gives the bits ConvGemmCols
// gives for x padded.
func ConvGemm3Unpadded(p *UnpaddedPlan, w []float32, ldw int, x []float32, c []float32, ldc int) {
	g, k := p.g, len(p.off)
	npix := g.OutH() * g.OutW()
	switch {
	case len(x) < g.C*g.H*g.W:
		panic(fmt.Sprintf("kernel: ConvGemm3Unpadded: image of %d values, want %d", len(x), g.C*g.H*g.W))
	case ldw < k || len(w) < 2*ldw+k:
		panic("kernel: ConvGemm3Unpadded: w is too short")
	case ldc < npix || len(c) < 2*ldc+npix:
		panic("kernel: ConvGemm3Unpadded: c is too short")
	}
	convGemm3Unpadded(p, w, ldw, x, c, ldc)
}

// convGemm3UnpaddedGo is the reference: each run's lanes outside the
// image contribute nothing, and each sum runs over p in order.
func convGemm3UnpaddedGo(p *UnpaddedPlan, w []float32, ldw int, x []float32, c []float32, ldc int) {
	g, k := p.g, len(p.off)
	ow := g.OutW()
	for t, at := range p.tile {
		masks := p.tables[at:][:k*8]
		for r := 0; r < 8; r++ {
			j := t*unpaddedTile + 16*r
			base := j/ow*g.W + j%ow
			for i := 0; i < 3; i++ {
				var acc [16]float32
				for q := 0; q < k; q++ {
					m, a := masks[q*8+r], w[i*ldw+q]
					for l := 0; l < 16; l++ {
						if m&(1<<l) != 0 {
							acc[l] += a * x[base+int(p.off[q])+l]
						}
					}
				}
				copy(c[i*ldc+j:][:16], acc[:])
			}
		}
	}
}

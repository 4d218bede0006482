//go:build amd64 && !noasm

package kernel

func convGemm3Unpadded(p *UnpaddedPlan, w []float32, ldw int, x []float32, c []float32, ldc int) {
	if !hasAVX512 {
		convGemm3UnpaddedGo(p, w, ldw, x, c, ldc)
		return
	}
	g, k := p.g, len(p.off)
	ow := g.OutW()
	var runs [8]int
	for t, at := range p.tile {
		for r := range runs {
			j := t*unpaddedTile + 16*r
			runs[r] = j/ow*g.W + j%ow
		}
		// Every lane a mask lets through lies inside x (NewUnpaddedPlan),
		// so the loads need no bounds here; the masked-off lanes may lie
		// outside it and are not read.
		if s := &p.steady[t]; s.ok {
			switch s.edge {
			case steadyTop:
				convKernel3x8TopAVX512(k, &w[0], ldw, &x[0], &p.off[0], &runs, &s.m, &c[t*unpaddedTile], ldc, k/9)
			case steadyBottom:
				convKernel3x8BottomAVX512(k, &w[0], ldw, &x[0], &p.off[0], &runs, &s.m, &c[t*unpaddedTile], ldc, k/9)
			default:
				convKernel3x8SteadyAVX512(k, &w[0], ldw, &x[0], &p.off[0], &runs, &s.m, &c[t*unpaddedTile], ldc, k/3)
			}
			continue
		}
		convKernel3x8MaskedAVX512(k, &w[0], ldw, &x[0], &p.off[0], &runs, &p.tables[at], &c[t*unpaddedTile], ldc)
	}
}

// convKernel3x8MaskedAVX512 is convKernel3x8AVX512 reading an unpadded
// image: C (3 × 128) = A · B, A's rows ars apart, B[p][16·r + l] =
// x[runs[r] + off[p] + l] where bit l of masks[8·p + r] is set, else 0.
//
//go:noescape
func convKernel3x8MaskedAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *uint16, c *float32, ldc int)

// convKernel3x8SteadyAVX512 is convKernel3x8MaskedAVX512 for a tile whose
// masks are steady (steadyMasks): masks[3·(r%2) + p%3] for run r at step
// p, k a multiple of 3 and turns = k/3.
//
//go:noescape
func convKernel3x8SteadyAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *[6]uint16, c *float32, ldc int, turns int)

// convKernel3x8TopAVX512 and convKernel3x8BottomAVX512 are
// convKernel3x8SteadyAVX512 for a tile of the top or bottom rows
// (steadyTop, steadyBottom): k a multiple of 9 and turns = k/9.
//
//go:noescape
func convKernel3x8TopAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *[6]uint16, c *float32, ldc int, turns int)

//go:noescape
func convKernel3x8BottomAVX512(k int, a *float32, ars int, x *float32, off *int32, runs *[8]int, masks *[6]uint16, c *float32, ldc int, turns int)

package kernel

import "unsafe"

// A gemmKernel is a register-blocked micro-kernel and the cache blocking that
// feeds it. tile computes an m×n block of C, n ≤ nr, one mr×nr tile in
// registers at a time:
//
//	C[i][j] = alpha·Σ_p a[i*ars+p*aks]·b[p*nr+j] + beta·C[i][j]   (i < m, j < n, p < k)
//
// where C[i][j] is c[i*ldc+j], and beta == 0 overwrites C without reading it.
// Only the m×n block of C is read or written, but A must hold the rows up to
// the next multiple of mr, which the last tile computes and drops.
// B is a packed panel (see packB). A is read through two strides, so the
// kernel takes op(A) where it lies, untransposed (ars = lda, aks = 1) or
// transposed (ars = 1, aks = lda), or a panel packed as packA does (ars = 1,
// aks = mr). The assembly kernels check no bounds; callTile does.
//
// The blocking follows BLIS: a kc×nc block of B, packed once per block, is
// multiplied by mc×kc blocks of A one kc×nr micro-panel of B at a time, so
// the micro-panel of B stays in L1 while the block of A streams from L2.
type gemmKernel struct {
	name       string
	mr, nr     int
	mc, kc, nc int // mc is a multiple of mr and nc of nr
	tile       func(m, n, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32)

	// narrow, if set, has the same mr and a smaller nr; it takes the last
	// panel of B when that is no wider than narrow.nr, so a thin last panel
	// does not cost a full one.
	narrow *gemmKernel

	// row, if set, has mr 1 and the same nr, and the same bits as tile; it
	// takes the rows past the last whole tile when there are at most
	// rowKernelMax of them, one row a call, in the full-width panels.
	row *gemmKernel
}

// rowKernelMax is the most rows past the last whole tile that gemmMacro
// gives the row kernel, one call each, rather than a tile padded with zero
// rows. Two rows cost 4 FMAs a step that way against the tile's 16, but
// read the panel of B twice.
const rowKernelMax = 2

// sgemmPacked computes C = alpha·op(A)·op(B) + beta·C with kernel kr; the
// arguments are Sgemm's, already checked, with m, n, k > 0.
func sgemmPacked(kr *gemmKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmBlocked(kr, transA, m, n, k, alpha, a, lda, transB, b, ldb, nil, beta, c, ldc)
}

// sgemmPackedB is sgemmPacked with B the implicit column matrix cc of a
// convolution, packed straight from its image (see ConvGemm).
func sgemmPackedB(kr *gemmKernel, transA bool, m, n, k int, alpha float32, a []float32, lda int,
	cc *convCols, beta float32, c []float32, ldc int) {
	sgemmBlocked(kr, transA, m, n, k, alpha, a, lda, false, nil, 0, cc, beta, c, ldc)
}

// sgemmBlocked is the loop nest of sgemmPacked and sgemmPackedB: B is op(b)
// unless cc is set, in which case it is cc.
func sgemmBlocked(kr *gemmKernel, transA bool, m, n, k int, alpha float32, a []float32, lda int,
	transB bool, b []float32, ldb int, cc *convCols, beta float32, c []float32, ldc int) {
	mr, nr := kr.mr, kr.nr
	// Split k into equal blocks of at most kr.kc, so a k slightly above kr.kc
	// does not leave a thin last block that pays for a pass over C.
	kc := ceilDiv(k, ceilDiv(k, kr.kc))
	mc := min(kr.mc, ceilDiv(m, mr)*mr)
	nc := min(kr.nc, ceilDiv(n, nr)*nr)
	if cc != nil {
		nc = min(nc, convNC)
	}
	ws := getGemmWorkspace(mr*kc, kc*nc, mr*kc)
	narrowNR := 0
	if kr.narrow != nil {
		narrowNR = kr.narrow.nr
	}
	opA := gemmOperand{a: a, rs: lda, ks: 1}
	if transA {
		opA.rs, opA.ks = 1, lda
	}
	for jc := 0; jc < n; jc += nc {
		ncur := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcur := min(kc, k-pc)
			if cc != nil {
				cc.pack(pc, kcur, jc, ncur, nr, narrowNR, ws.b)
			} else {
				packB(transB, b, ldb, pc, kcur, jc, ncur, nr, narrowNR, ws.b)
			}
			bt := beta
			if pc > 0 {
				bt = 1 // later k blocks accumulate onto the first
			}
			for ic := 0; ic < m; ic += mc {
				mcur := min(mc, m-ic)
				gemmMacro(kr, opA.at(ic, pc), mcur, ncur, kcur, ws, alpha, bt, c[ic*ldc+jc:], ldc)
			}
		}
	}
	putGemmWorkspace(ws)
}

// A gemmOperand is op(A) where it lies: element [i][p] is a[i*rs+p*ks].
type gemmOperand struct {
	a      []float32
	rs, ks int
}

// at returns the operand whose [0][0] is this one's [i][p].
func (o gemmOperand) at(i, p int) gemmOperand {
	o.a = o.a[i*o.rs+p*o.ks:]
	return o
}

// gemmMacro computes the m×n block of C from the m×k block of op(A) in opA
// and the packed k×n block of B in ws.b, one column of tiles at a time.
// Whole micro-panels of A are read in place; the last one, if shorter than
// mr rows, is packed with zero rows into ws.a, since the kernel reads whole
// micro-panels.
func gemmMacro(kr *gemmKernel, opA gemmOperand, m, n, k int, ws *gemmWorkspace, alpha, beta float32, c []float32, ldc int) {
	mr, nr := kr.mr, kr.nr
	mFull := m / mr * mr
	if mFull < m {
		packA(opA.at(mFull, 0), m-mFull, k, mr, ws.a, ws.t)
	}
	for jr := 0; jr < n; jr += nr {
		cols := min(nr, n-jr)
		kt := kr
		if kr.narrow != nil && cols <= kr.narrow.nr {
			kt = kr.narrow
		}
		bp := ws.b[jr*k : jr*k+kt.nr*k]
		if mFull > 0 {
			callTile(kt, mFull, cols, k, opA, bp, c[jr:], ldc, alpha, beta)
		}
		if mFull < m {
			tail := gemmOperand{a: ws.a, rs: 1, ks: mr}
			if kt == kr && kr.row != nil && m-mFull <= rowKernelMax {
				for i := mFull; i < m; i++ {
					row := gemmOperand{a: ws.a[i-mFull:], rs: 1, ks: mr}
					callTile(kr.row, 1, cols, k, row, bp, c[i*ldc+jr:], ldc, alpha, beta)
				}
				continue
			}
			callTile(kt, m-mFull, cols, k, tail, bp, c[mFull*ldc+jr:], ldc, alpha, beta)
		}
	}
}

// callTile runs kr.tile on an m×n block after checking that every element
// it touches lies within the slices, which the assembly kernels do not check
// themselves.
func callTile(kr *gemmKernel, m, n, k int, a gemmOperand, b, c []float32, ldc int, alpha, beta float32) {
	rows := ceilDiv(m, kr.mr) * kr.mr
	_ = a.a[(rows-1)*a.rs+(k-1)*a.ks]
	_ = b[kr.nr*k-1]
	_ = c[(m-1)*ldc+n-1]
	kr.tile(m, n, k, a.a, a.rs, a.ks, b, c, ldc, alpha, beta)
}

// packA copies the rows×k block of op(A) at the start of opA, rows < mr, into
// dst as one micro-panel of mr rows: op(A)[i][p] goes to dst[p·mr+i], and
// rows past rows are zero. tmp is scratch of mr·k values.
func packA(opA gemmOperand, rows, k, mr int, dst, tmp []float32) {
	dst = dst[:mr*k]
	if opA.ks == 1 {
		// Untransposed, each row is a run of k values: gather the rows,
		// zero-padded to mr, and transpose them as packB does B.
		tmp = tmp[:mr*k]
		for i := 0; i < rows; i++ {
			copy(tmp[i*k:i*k+k], opA.a[i*opA.rs:i*opA.rs+k])
		}
		clear(tmp[rows*k:])
		packCols(k, mr, tmp, k, dst, mr)
		return
	}
	// Transposed, each p is a run of rows values.
	clear(dst)
	packRows(k, rows, opA.a, opA.ks, dst, mr)
}

// packB copies the k×n block of op(B) at (p0, j0) into dst as micro-panels
// of nr columns: panel r holds, for each p, the nr values
// op(B)[p0+p][j0+r·nr+j] at dst[r·nr·k + p·nr + j]. The last panel is
// narrowNR wide instead if it fits in that (narrowNR may be 0). Columns past
// n are zero.
func packB(transB bool, b []float32, ldb, p0, k, j0, n, nr, narrowNR int, dst []float32) {
	for jr := 0; jr < n; jr += nr {
		cols := min(nr, n-jr)
		w := nr
		if cols <= narrowNR {
			w = narrowNR
		}
		d := dst[jr*k : jr*k+w*k]
		if cols < w {
			clear(d)
		}
		if transB {
			packCols(k, cols, b[(j0+jr)*ldb+p0:], ldb, d, w)
		} else {
			packRows(k, cols, b[p0*ldb+j0+jr:], ldb, d, w)
		}
	}
}

// packRowsGo sets dst[p*ldd+j] = src[p*lds+j] for p < k, j < n.
func packRowsGo(k, n int, src []float32, lds int, dst []float32, ldd int) {
	for p := 0; p < k; p++ {
		copy(dst[p*ldd:p*ldd+n], src[p*lds:p*lds+n])
	}
}

// packColsGo sets dst[p*ldd+j] = src[j*lds+p] for p < k, j0 <= j < n: it
// transposes rows j0 to n of src into columns of dst.
func packColsGo(k, j0, n int, src []float32, lds int, dst []float32, ldd int) {
	for j := j0; j < n; j++ {
		row := src[j*lds : j*lds+k]
		for p, v := range row {
			dst[p*ldd+j] = v
		}
	}
}

// A gemmWorkspace holds the packing buffers of one sgemmPacked call. They
// come from gemmPool, so concurrent calls each get their own and a warm call
// allocates nothing (see reuse).
type gemmWorkspace struct {
	mem     []float32
	a, b, t []float32 // packed A tail, packed B, scratch for packA
	self    *reused[gemmWorkspace]
}

var gemmPool reuse[gemmWorkspace]

// putGemmWorkspace gives ws back to gemmPool.
func putGemmWorkspace(ws *gemmWorkspace) { gemmPool.put(ws.self) }

// gemmAlign is the alignment, in float32s, of each packed buffer: 64 bytes,
// one cache line and one zmm register, so vector loads never split lines.
const gemmAlign = 16

// getGemmWorkspace returns a workspace from the pool with buffers a, b and
// t of at least na, nb and nt values, each 64-byte aligned.
func getGemmWorkspace(na, nb, nt int) *gemmWorkspace {
	e := gemmPool.get()
	ws := &e.v
	ws.self = e
	na, nb, nt = ceilDiv(na, gemmAlign)*gemmAlign, ceilDiv(nb, gemmAlign)*gemmAlign, ceilDiv(nt, gemmAlign)*gemmAlign
	need := na + nb + nt + gemmAlign
	if len(ws.mem) < need {
		ws.mem = make([]float32, need)
	}
	// Skip to the first 64-byte boundary; the address is only inspected.
	off := int(-uintptr(unsafe.Pointer(&ws.mem[0]))%64) / 4
	mem := ws.mem[off:]
	ws.a, ws.b, ws.t = mem[:na], mem[na:na+nb], mem[na+nb:na+nb+nt]
	return ws
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

package kernel

import (
	"sync"
	"unsafe"
)

// A gemmKernel is a register-blocked micro-kernel and the cache blocking that
// feeds it. tile computes one mr×nr tile of C from packed panels:
//
//	C[i][j] = Σ_p a[p*mr+i]·b[p*nr+j] + beta·C[i][j]   (i < mr, j < nr, p < k)
//
// where C[i][j] is c[i*ldc+j], and beta == 0 overwrites C without reading it.
// a holds mr·k values, b nr·k, and c at least (mr-1)·ldc+nr; the assembly
// kernels rely on the caller for these lengths.
//
// The blocking follows BLIS: a kc×nc block of B (packed once per block, kept
// in L3/L2) is multiplied by mc×kc blocks of A (kept in L2) one kc×nr
// micro-panel of B (kept in L1) at a time.
type gemmKernel struct {
	name       string
	mr, nr     int
	mc, kc, nc int // mc is a multiple of mr and nc of nr
	tile       func(k int, a, b, c []float32, ldc int, beta float32)
}

// sgemmPacked computes C = alpha·op(A)·op(B) + beta·C with kernel kr; the
// arguments are Sgemm's, already checked, with m, n, k > 0.
func sgemmPacked(kr *gemmKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	mr, nr := kr.mr, kr.nr
	// Split k into equal blocks of at most kr.kc, so a k slightly above kr.kc
	// does not leave a thin last block that pays for a pass over C.
	kc := ceilDiv(k, ceilDiv(k, kr.kc))
	mc := min(kr.mc, ceilDiv(m, mr)*mr)
	nc := min(kr.nc, ceilDiv(n, nr)*nr)
	ws := getGemmWorkspace(mc*kc, kc*nc, mr*nr)
	for jc := 0; jc < n; jc += nc {
		ncur := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcur := min(kc, k-pc)
			packB(transB, b, ldb, pc, kcur, jc, ncur, nr, ws.b)
			bt := beta
			if pc > 0 {
				bt = 1 // later k blocks accumulate onto the first
			}
			for ic := 0; ic < m; ic += mc {
				mcur := min(mc, m-ic)
				packA(transA, a, lda, ic, mcur, pc, kcur, alpha, mr, ws.a)
				gemmMacro(kr, mcur, ncur, kcur, ws, bt, c[ic*ldc+jc:], ldc)
			}
		}
	}
	gemmPool.Put(ws)
}

// gemmMacro multiplies the packed m×k block of A in ws.a by the packed k×n
// block of B in ws.b into C, tile by tile. Tiles that stick out of C are
// computed into ws.tile and only their valid part is written back.
func gemmMacro(kr *gemmKernel, m, n, k int, ws *gemmWorkspace, beta float32, c []float32, ldc int) {
	mr, nr := kr.mr, kr.nr
	for jr := 0; jr < n; jr += nr {
		cols := min(nr, n-jr)
		bp := ws.b[jr*k : (jr+nr)*k]
		for ir := 0; ir < m; ir += mr {
			rows := min(mr, m-ir)
			ap := ws.a[ir*k : (ir+mr)*k]
			if rows == mr && cols == nr {
				kr.tile(k, ap, bp, c[ir*ldc+jr:], ldc, beta)
				continue
			}
			kr.tile(k, ap, bp, ws.tile, nr, 0)
			mergeTile(rows, cols, ws.tile, nr, beta, c[ir*ldc+jr:], ldc)
		}
	}
}

// mergeTile sets the rows×cols corner of C to t + beta·C, where t has row
// stride nt.
func mergeTile(rows, cols int, t []float32, nt int, beta float32, c []float32, ldc int) {
	for i := 0; i < rows; i++ {
		src := t[i*nt : i*nt+cols]
		dst := c[i*ldc : i*ldc+cols]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}

// packA copies alpha times the m×k block of op(A) at (i0, p0) into dst as
// micro-panels of mr rows: panel r holds, for each p, the mr values
// op(A)[i0+r·mr+i][p0+p] at dst[r·mr·k + p·mr + i]. Rows past m are zero.
func packA(transA bool, a []float32, lda, i0, m, p0, k int, alpha float32, mr int, dst []float32) {
	for ir := 0; ir < m; ir += mr {
		rows := min(mr, m-ir)
		d := dst[ir*k : (ir+mr)*k]
		if transA {
			// op(A)[i][p] = a[p*lda+i]: each p is a contiguous run of rows.
			for p := 0; p < k; p++ {
				src := a[(p0+p)*lda+i0+ir:][:rows]
				dp := d[p*mr : p*mr+mr]
				for i, v := range src {
					dp[i] = alpha * v
				}
				clear(dp[rows:])
			}
			continue
		}
		for i := 0; i < rows; i++ {
			src := a[(i0+ir+i)*lda+p0:][:k]
			for p, v := range src {
				d[p*mr+i] = alpha * v
			}
		}
		if rows < mr {
			for p := 0; p < k; p++ {
				clear(d[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packB copies the k×n block of op(B) at (p0, j0) into dst as micro-panels
// of nr columns: panel r holds, for each p, the nr values
// op(B)[p0+p][j0+r·nr+j] at dst[r·nr·k + p·nr + j]. Columns past n are zero.
func packB(transB bool, b []float32, ldb, p0, k, j0, n, nr int, dst []float32) {
	for jr := 0; jr < n; jr += nr {
		cols := min(nr, n-jr)
		d := dst[jr*k : (jr+nr)*k]
		if !transB {
			for p := 0; p < k; p++ {
				dp := d[p*nr : p*nr+nr]
				copy(dp, b[(p0+p)*ldb+j0+jr:][:cols])
				clear(dp[cols:])
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p]: each column of op(B) is a contiguous run.
		for j := 0; j < cols; j++ {
			src := b[(j0+jr+j)*ldb+p0:][:k]
			for p, v := range src {
				d[p*nr+j] = v
			}
		}
		if cols < nr {
			for p := 0; p < k; p++ {
				clear(d[p*nr+cols : p*nr+nr])
			}
		}
	}
}

// A gemmWorkspace holds the packing buffers of one sgemmPacked call. They
// come from gemmPool, so concurrent calls each get their own and a warm call
// allocates nothing.
type gemmWorkspace struct {
	mem        []float32
	a, b, tile []float32
}

var gemmPool = sync.Pool{New: func() any { return new(gemmWorkspace) }}

// gemmAlign is the alignment, in float32s, of each packed buffer: 64 bytes,
// one cache line and one zmm register, so vector loads never split lines.
const gemmAlign = 16

// getGemmWorkspace returns a workspace from the pool with buffers a, b and
// tile of at least na, nb and nt values, each 64-byte aligned.
func getGemmWorkspace(na, nb, nt int) *gemmWorkspace {
	ws := gemmPool.Get().(*gemmWorkspace)
	na, nb, nt = ceilDiv(na, gemmAlign)*gemmAlign, ceilDiv(nb, gemmAlign)*gemmAlign, ceilDiv(nt, gemmAlign)*gemmAlign
	need := na + nb + nt + gemmAlign
	if len(ws.mem) < need {
		ws.mem = make([]float32, need)
	}
	// Skip to the first 64-byte boundary; the address is only inspected.
	off := int(-uintptr(unsafe.Pointer(&ws.mem[0]))%64) / 4
	mem := ws.mem[off:]
	ws.a, ws.b, ws.tile = mem[:na], mem[na:na+nb], mem[na+nb:na+nb+nt]
	return ws
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

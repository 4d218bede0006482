package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// slowSgemm is the definition of Sgemm as a triple loop, summing in float64.
// It reads A and B only through op(A)[i][p] and op(B)[p][j].
func slowSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

// slowTile is the micro-kernel contract of gemmKernel as plain loops: it
// sets the m×n block of C from A and a packed panel of B nr columns wide.
func slowTile(m, n, nr, k int, a []float32, ars, aks int, b, c []float32, ldc int, alpha, beta float32) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(a[i*ars+p*aks]) * float64(b[p*nr+j])
			}
			s *= float64(alpha)
			if beta != 0 {
				s += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(s)
		}
	}
}

type sgemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int)

// simpleSgemm is Sgemm forced onto the plain loops.
func simpleSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	scaleC(m, n, beta, c, ldc)
	if k > 0 && alpha != 0 {
		sgemmGo(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc)
	}
}

// packedSgemm returns Sgemm forced onto the packed path with kernel kr.
func packedSgemm(kr *gemmKernel) sgemmFunc {
	return func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
		b []float32, ldb int, beta float32, c []float32, ldc int) {
		if m == 0 || n == 0 {
			return
		}
		if k == 0 || alpha == 0 {
			scaleC(m, n, beta, c, ldc)
			return
		}
		sgemmPacked(kr, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// A featureLevel is a setting of the CPU-feature flags.
type featureLevel struct {
	name            string
	avx512, avx2fma bool
}

// featureLevels lists the settings to test, best first, each switching one
// more flag off down to the pure-Go kernel; settings the CPU cannot run are
// left out.
func featureLevels() []featureLevel {
	var levels []featureLevel
	if hasAVX512 {
		levels = append(levels, featureLevel{"avx512", true, hasAVX2FMA})
	}
	if hasAVX2FMA {
		levels = append(levels, featureLevel{"avx2", false, true})
	}
	return append(levels, featureLevel{"go", false, false})
}

// withFeatures runs f with the CPU-feature flags set as given, restoring them
// after. Tests that use it must not run in parallel.
func withFeatures(avx512, avx2fma bool, f func()) {
	save512, save2 := hasAVX512, hasAVX2FMA
	defer func() { hasAVX512, hasAVX2FMA = save512, save2 }()
	hasAVX512, hasAVX2FMA = avx512, avx2fma
	f()
}

// An sgemmPath is one way to compute Sgemm.
type sgemmPath struct {
	name string
	fn   sgemmFunc
}

// sgemmPaths is every way to compute Sgemm: the exported function, the
// plain loops, and the packed path with each kernel this build runs here
// (under -tags noasm every feature level picks the Go kernel).
func sgemmPaths() []sgemmPath {
	paths := []sgemmPath{{"Sgemm", Sgemm}, {"simple", simpleSgemm}}
	for _, l := range featureLevels() {
		var kr *gemmKernel
		withFeatures(l.avx512, l.avx2fma, func() { kr = gemmKernelForCPU() })
		if name := "packed-" + kr.name; name != paths[len(paths)-1].name {
			paths = append(paths, sgemmPath{name, packedSgemm(kr)})
		}
	}
	return paths
}

// gemmCase is one Sgemm call with its operands laid out for checking: a and
// b end exactly after their last element and have NaN in their row padding,
// which Sgemm must never read; c has guard bands before, after and between
// rows.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b           []float32
	lda, ldb, ldc  int
	c              []float32 // initial C including guards
}

const (
	gemmGuard    = 37
	gemmSentinel = float32(-1234.5)
)

func newGemmCase(rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta float32, pad bool) *gemmCase {
	g := &gemmCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	extra := func() int {
		if pad {
			return rng.IntN(4)
		}
		return 0
	}
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	g.lda, g.ldb, g.ldc = max(1, colsA)+extra(), max(1, colsB)+extra(), max(1, n)+extra()
	g.a = randMatrix(rng, rowsA, colsA, g.lda)
	g.b = randMatrix(rng, rowsB, colsB, g.ldb)
	g.c = make([]float32, gemmGuard+max(0, (m-1)*g.ldc+n)+gemmGuard)
	for i := range g.c {
		g.c[i] = gemmSentinel
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			v := float32(rng.NormFloat64())
			if beta == 0 {
				v = float32(math.NaN()) // must be ignored
			}
			g.c[gemmGuard+i*g.ldc+j] = v
		}
	}
	return g
}

// randMatrix returns rows×cols normal values with row stride ld, NaN in the
// padding, and no storage after the last element.
func randMatrix(rng *rand.Rand, rows, cols, ld int) []float32 {
	if rows == 0 || cols == 0 {
		return nil
	}
	x := make([]float32, (rows-1)*ld+cols)
	for i := range x {
		if i%ld < cols {
			x[i] = float32(rng.NormFloat64())
		} else {
			x[i] = float32(math.NaN())
		}
	}
	return x
}

// run calls f on a copy of C and returns the whole buffer, guards included.
func (g *gemmCase) run(f sgemmFunc) []float32 {
	c := append([]float32(nil), g.c...)
	f(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, c[gemmGuard:len(c)-gemmGuard], g.ldc)
	return c
}

func (g *gemmCase) String() string {
	return fmt.Sprintf("transA=%v transB=%v m=%d n=%d k=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d",
		g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.beta, g.lda, g.ldb, g.ldc)
}

// check compares got with the reference want: elements of the m×n block
// within a rounding bound that grows with k, everything else bit for bit.
func (g *gemmCase) check(t *testing.T, name string, got, want []float32) {
	t.Helper()
	// Summing k products in float32 in any order errs by at most about
	// k·2⁻²⁴ relative to Σ|a·b|; normal inputs make that sum about √k
	// times the typical |C|, so k ulps of a value of size k bounds it.
	tol := float64(g.k+4) * 0x1p-22 * (math.Abs(float64(g.alpha))*float64(g.k) + math.Abs(float64(g.beta))*4 + 1)
	bad := 0
	for idx := range got {
		off := idx - gemmGuard
		inBlock := off >= 0 && off < len(got)-2*gemmGuard && off%g.ldc < g.n
		ok := got[idx] == want[idx] || math.IsNaN(float64(got[idx])) && math.IsNaN(float64(want[idx]))
		if inBlock && !ok {
			ok = math.Abs(float64(got[idx])-float64(want[idx])) <= tol
		}
		if !ok {
			if bad < 5 {
				if inBlock {
					t.Errorf("%s %v: C[%d][%d] = %g, want %g", name, g, off/g.ldc, off%g.ldc, got[idx], want[idx])
				} else {
					t.Errorf("%s %v: wrote %g outside C at offset %d", name, g, got[idx], off)
				}
			}
			bad++
		}
	}
}

var (
	gemmAlphas = []float32{0, 1, 0.5, -2}
	gemmBetas  = []float32{0, 1, 0.5, -2}
)

func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	paths := sgemmPaths()
	for _, p := range paths {
		t.Logf("checking path %s", p.name)
	}
	var shapes [][3]int
	for i := 0; i < 300; i++ {
		shapes = append(shapes, [3]int{1 + rng.IntN(70), 1 + rng.IntN(70), 1 + rng.IntN(70)})
	}
	shapes = append(shapes,
		[3]int{0, 5, 5}, [3]int{5, 0, 5}, [3]int{5, 5, 0}, [3]int{1, 1, 1},
		// Larger than a block in each direction, with tails.
		[3]int{140, 37, 300}, [3]int{9, 2100, 17}, [3]int{131, 70, 530}, [3]int{33, 33, 1025},
		[3]int{150, 1100, 300}, // all three at once
	)
	if testing.Short() {
		shapes = shapes[:60]
	}
	for si, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for combo := 0; combo < 4; combo++ {
			transA, transB := combo&1 != 0, combo&2 != 0
			alpha := gemmAlphas[rng.IntN(len(gemmAlphas))]
			beta := gemmBetas[rng.IntN(len(gemmBetas))]
			if si%8 == 0 {
				alpha = 1 // most calls use alpha = 1; make sure it is well covered
			}
			g := newGemmCase(rng, transA, transB, m, n, k, alpha, beta, si%3 != 0)
			want := g.run(slowSgemm)
			for _, p := range paths {
				g.check(t, p.name, g.run(p.fn), want)
			}
		}
	}
}

// TestSgemmAllAlphaBeta runs every alpha, beta and transpose on a shape with
// tails in all three dimensions through every path.
func TestSgemmAllAlphaBeta(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, alpha := range gemmAlphas {
		for _, beta := range gemmBetas {
			for combo := 0; combo < 4; combo++ {
				g := newGemmCase(rng, combo&1 != 0, combo&2 != 0, 19, 45, 261, alpha, beta, true)
				want := g.run(slowSgemm)
				for _, p := range sgemmPaths() {
					g.check(t, p.name, g.run(p.fn), want)
				}
			}
		}
	}
}

// TestSgemmFeatureFlags switches each CPU-feature flag off in turn and
// checks that the exported Sgemm still agrees with the reference.
func TestSgemmFeatureFlags(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() {
			for _, s := range [][3]int{{64, 784, 25}, {16, 100, 150}, {70, 33, 129}} {
				for combo := 0; combo < 4; combo++ {
					g := newGemmCase(rng, combo&1 != 0, combo&2 != 0, s[0], s[1], s[2], 1, 0.5, true)
					g.check(t, l.name, g.run(Sgemm), g.run(slowSgemm))
				}
			}
		})
	}
}

// TestGemmKernels runs each micro-kernel against the plain loops on blocks
// of one to three tiles, whole or cut short in rows and columns, for k that
// hit every unrolled tail, with A packed, in place and transposed in place
// (each ending right after the last row the kernel reads), and C inside a
// larger matrix so stray writes show.
func TestGemmKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var kernels []*gemmKernel
	for _, l := range featureLevels() {
		withFeatures(l.avx512, l.avx2fma, func() { kernels = append(kernels, gemmKernelForCPU()) })
		if n := kernels[len(kernels)-1].narrow; n != nil {
			kernels = append(kernels, n)
		}
	}
	for _, kr := range kernels {
		nr := kr.nr
		for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 255, 256, 257} {
			tiles := 1 + k%3
			rows := kr.mr * tiles // rows of A the kernel reads
			for _, layout := range []struct {
				name   string
				rs, ks int
			}{{"packed", 1, rows}, {"rows", k + 2, 1}, {"cols", 1, rows + 5}} {
				rs, ks := layout.rs, layout.ks
				a := make([]float32, (rows-1)*rs+(k-1)*ks+1)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				b := randMatrix(rng, k, nr, nr)
				for _, beta := range gemmBetas {
					m, n := rows, nr
					switch rng.IntN(3) {
					case 1:
						m = rows - rng.IntN(kr.mr)
					case 2:
						n = 1 + rng.IntN(nr)
					}
					ldc := nr + 3
					alpha := gemmAlphas[1+rng.IntN(len(gemmAlphas)-1)]
					c := make([]float32, (rows+1)*ldc)
					for i := range c {
						c[i] = float32(rng.NormFloat64())
						if beta == 0 && i/ldc < m && i%ldc < n {
							c[i] = float32(math.NaN())
						}
					}
					got, want := append([]float32(nil), c...), append([]float32(nil), c...)
					kr.tile(m, n, k, a, rs, ks, b, got, ldc, alpha, beta)
					slowTile(m, n, nr, k, a, rs, ks, b, want, ldc, alpha, beta)
					tol := float64(k+4) * 0x1p-22 * float64(k+4) * 2
					for i := range got {
						inBlock := i/ldc < m && i%ldc < n
						if !inBlock && got[i] != want[i] ||
							inBlock && !(math.Abs(float64(got[i])-float64(want[i])) <= tol) {
							t.Fatalf("%s %s m=%d n=%d k=%d alpha=%g beta=%g: c[%d][%d] = %g, want %g",
								kr.name, layout.name, m, n, k, alpha, beta, i/ldc, i%ldc, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestSgemmConcurrent runs Sgemm from several goroutines at once, as the
// layers do, to check that they never share a packing buffer.
func TestSgemmConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var cases []*gemmCase
	var wants [][]float32
	for i := 0; i < 8; i++ {
		g := newGemmCase(rng, i&1 != 0, i&2 != 0, 20+9*i, 300-17*i, 280+i, 1, 0, false)
		cases, wants = append(cases, g), append(wants, g.run(slowSgemm))
	}
	var wg sync.WaitGroup
	for i, g := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 5; r++ {
				g.check(t, "concurrent", g.run(Sgemm), wants[i])
			}
		}()
	}
	wg.Wait()
}

// TestSgemmAllocs checks that a warm Sgemm allocates nothing.
func TestSgemmAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{64, 784, 25}, {128, 64, 1152}, {9, 2100, 300}} {
		g := newGemmCase(rng, false, true, s[0], s[1], s[2], 1, 0, false)
		c := make([]float32, len(g.c))
		allocs := testing.AllocsPerRun(20, func() {
			Sgemm(g.transA, g.transB, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, c, g.ldc)
		})
		if allocs != 0 {
			t.Errorf("Sgemm %dx%dx%d: %v allocations per call, want 0", s[0], s[1], s[2], allocs)
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 9)
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 3, 4, 1, a, 4, b, 3, 0, c, 3) }},
		{"small lda", func() { Sgemm(false, false, 3, 3, 4, 1, a, 3, b, 3, 0, c, 3) }},
		{"small ldb", func() { Sgemm(false, true, 3, 3, 4, 1, a, 4, b, 3, 0, c, 3) }},
		{"small ldc", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c, 2) }},
		{"short a", func() { Sgemm(false, false, 3, 3, 4, 1, a[:11], 4, b, 3, 0, c, 3) }},
		{"short b", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b[:11], 3, 0, c, 3) }},
		{"short c", func() { Sgemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c[:8], 3) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.call()
		}()
	}
}

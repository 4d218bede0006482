package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/convnet/convnet/internal/kernel"
	"github.com/convnet/convnet/tensor"
)

// slowMatMul is the reference for MatMul: out, da and db by the
// definition, one multiply-add at a time in float64, walking the leading
// axes with explicit multi-indices. a is (N, La..., M, K), b is
// (N, Lb..., K, P), dy is (N, L..., M, P).
func slowMatMul(a, b, dy *tensor.Tensor) (out, da, db []float64) {
	r := len(a.Shape)
	n, m, k, p := a.Shape[0], a.Shape[r-2], a.Shape[r-1], b.Shape[r-1]
	la, lb := a.Shape[1:r-2], b.Shape[1:r-2]
	lead := make([]int, len(la))
	for j := range la {
		lead[j] = la[j]
		if la[j] == 1 {
			lead[j] = lb[j] // 1 against 0 broadcasts to 0
		}
	}
	mats := tensor.Size(lead)
	out = make([]float64, n*mats*m*p)
	da, db = make([]float64, len(a.Data)), make([]float64, len(b.Data))
	// matrix returns the index, in a leading shape s, of output position q.
	matrix := func(s []int, q int) int {
		idx, off := 0, 1
		for j := len(lead) - 1; j >= 0; j-- {
			if s[j] != 1 {
				idx += (q % lead[j]) * off
			}
			q /= lead[j]
			off *= s[j]
		}
		return idx
	}
	for e := range n {
		for q := range mats {
			oa := e*tensor.Size(la)*m*k + matrix(la, q)*m*k
			ob := e*tensor.Size(lb)*k*p + matrix(lb, q)*k*p
			oy := (e*mats + q) * m * p
			for i := range m {
				for j := range p {
					g := float64(dy.Data[oy+i*p+j])
					for c := range k {
						av, bv := float64(a.Data[oa+i*k+c]), float64(b.Data[ob+c*p+j])
						out[oy+i*p+j] += av * bv
						da[oa+i*k+c] += g * bv
						db[ob+c*p+j] += g * av
					}
				}
			}
		}
	}
	return out, da, db
}

// matmulShapes are operand pairs, batch included: plain, broadcast on
// either side and on both, one matrix against a stack, sizes that take
// Sgemm's plain loops and its packed path with partial tiles, and empty
// matrices.
var matmulShapes = [][2][]int{
	{{2, 3, 4}, {2, 4, 5}},
	{{3, 1, 2}, {3, 2, 1}},
	{{2, 2, 1, 3, 4}, {2, 1, 3, 4, 2}},
	{{2, 3, 2, 5}, {2, 1, 5, 3}},
	{{2, 1, 2, 5}, {2, 3, 5, 3}},
	{{1, 2, 17, 33}, {1, 2, 33, 19}},
	{{2, 3, 0}, {2, 0, 4}},
	{{2, 0, 3}, {2, 3, 4}},
	{{2, 0, 2, 3}, {2, 1, 3, 4}},
}

// TestMatMulMatchesReference compares Forward and Backward with
// slowMatMul on one and two threads.
func TestMatMulMatchesReference(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sh := range matmulShapes {
		name := tensor.ShapeString(sh[0]) + "·" + tensor.ShapeString(sh[1])
		a, b := randomTensor(rng, sh[0]), randomTensor(rng, sh[1])
		l := NewMatMul()
		shape, err := l.Build([][]int{sh[0][1:], sh[1][1:]})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dy := randomTensor(rng, append([]int{sh[0][0]}, shape...))
		want, wantDA, wantDB := slowMatMul(a, b, dy)
		for _, threads := range []int{1, 2} {
			kernel.SetThreads(threads)
			out := tensor.New(dy.Shape...)
			fill(out.Data, float32(math.NaN()))
			da, db := tensor.New(a.Shape...), tensor.New(b.Shape...)
			fill(da.Data, float32(math.NaN()))
			fill(db.Data, float32(math.NaN()))
			l.Forward([]*tensor.Tensor{a, b}, out, true)
			l.Backward([]*tensor.Tensor{a, b}, out, dy, []*tensor.Tensor{da, db})
			for _, c := range []struct {
				what string
				got  []float32
				want []float64
			}{{"out", out.Data, want}, {"da", da.Data, wantDA}, {"db", db.Data, wantDB}} {
				if len(c.got) != len(c.want) {
					t.Fatalf("%s: %s has %d values, want %d", name, c.what, len(c.got), len(c.want))
				}
				for i, v := range c.got {
					if d := math.Abs(float64(v) - c.want[i]); !(d <= 1e-5*(1+math.Abs(c.want[i]))) {
						t.Fatalf("%s (threads=%d): %s[%d] = %g, want %g", name, threads, c.what, i, v, c.want[i])
					}
				}
			}
		}
	}
}

func TestMatMulGradients(t *testing.T) {
	for _, sh := range matmulShapes[:5] {
		checkGradients(t, gradCase{name: "matmul " + tensor.ShapeString(sh[0][1:]) + tensor.ShapeString(sh[1][1:]),
			layer: NewMatMul(), shapes: [][]int{sh[0], sh[1]}})
	}
}

// TestMatMulOneGradient checks that Backward computes only the gradients
// asked for and leaves the other slot alone.
func TestMatMulOneGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	a, b := randomTensor(rng, []int{2, 3, 4}), randomTensor(rng, []int{2, 4, 2})
	l := NewMatMul()
	if _, err := l.Build([][]int{{3, 4}, {4, 2}}); err != nil {
		t.Fatal(err)
	}
	out, dy := tensor.New(2, 3, 2), randomTensor(rng, []int{2, 3, 2})
	l.Forward([]*tensor.Tensor{a, b}, out, true)
	both := []*tensor.Tensor{tensor.New(a.Shape...), tensor.New(b.Shape...)}
	l.Backward([]*tensor.Tensor{a, b}, out, dy, both)
	for i := range 2 {
		only := make([]*tensor.Tensor, 2)
		only[i] = tensor.New(both[i].Shape...)
		l.Backward([]*tensor.Tensor{a, b}, out, dy, only)
		if !equalFloats(only[i].Data, both[i].Data) {
			t.Errorf("input %d's gradient alone differs from the one computed with the other's", i)
		}
	}
	l.Backward([]*tensor.Tensor{a, b}, out, dy, make([]*tensor.Tensor, 2))
}

func TestMatMulBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		in   [][]int
		want string
	}{
		{[][]int{{2, 3}}, "takes two inputs, gets 1"},
		{[][]int{{2, 3}, {4, 3, 5}}, "different ranks"},
		{[][]int{{3}, {3}}, "each example must be a matrix"},
		{[][]int{{2, 3}, {4, 5}}, "(2, 3) and (4, 5) do not multiply"},
		{[][]int{{2, 2, 3}, {3, 3, 5}}, "do not broadcast"},
		{[][]int{{1 << 16, 1 << 16, 1, 1}, {1, 1, 1, 1}}, "too large"},
	} {
		if _, err := NewMatMul().Build(tc.in); err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("Build(%v): %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestMatMulOfOneValue runs x·x and x·xᵀ through a graph, where one node
// feeds both operands (directly, or once through a transpose), and checks
// the input gradient, which sums both operands' shares, against finite
// differences.
func TestMatMulOfOneValue(t *testing.T) {
	for _, transposed := range []bool{false, true} {
		g := NewGraph(2, 3, 3)
		x := g.Input()
		y := x
		if transposed {
			y = g.MustAdd(NewTranspose(0, 2, 1), x)
		}
		g.MustAdd(NewMatMul(), x, y)
		g.InputGrad = true
		rng := rand.New(rand.NewPCG(8, 8))
		in := randomTensor(rng, []int{2, 2, 3, 3})
		r := randomTensor(rng, []int{2, 2, 3, 3})
		loss := func() float64 {
			var s float64
			for i, v := range g.Forward(in, true).Data {
				s += float64(v) * float64(r.Data[i])
			}
			return s
		}
		loss()
		g.Backward(r)
		grad := append([]float32(nil), g.Input().Grad.Data...)
		const eps = 1e-2
		for i := range in.Data {
			orig := in.Data[i]
			in.Data[i] = orig + eps
			lp := loss()
			in.Data[i] = orig - eps
			lm := loss()
			in.Data[i] = orig
			num, ana := (lp-lm)/(2*eps), float64(grad[i])
			if math.Abs(num-ana) > 2e-2*math.Max(math.Abs(num), math.Abs(ana))+2e-3 {
				t.Errorf("transposed=%v: ∂L/∂x[%d]: analytic %.6g, numeric %.6g", transposed, i, ana, num)
			}
		}
	}
}

// TestMatMulShardsMatchWhole trains a graph with a MatMul data-parallel,
// in two shards of replicas made by Clone, and compares the output and the
// gradients with the step run whole on one thread.
func TestMatMulShardsMatchWhole(t *testing.T) {
	defer kernel.SetThreads(kernel.Threads())
	g := NewGraph(4, 6)
	h := g.MustAdd(NewDenseLast(6))
	ht := g.MustAdd(NewTranspose(1, 0), h)
	g.MustAdd(NewMatMul(), h, ht) // (4, 4): h·hᵀ
	g.MustAdd(Flatten{})
	g.MustAdd(NewDense(3))
	g.Init(3)
	g.InputGrad = true
	rng := rand.New(rand.NewPCG(6, 6))
	x := randomTensor(rng, []int{64, 4, 6})
	dy := randomTensor(rng, []int{64, 3})
	step := func() (out, dx []float32, grads [][]float32) {
		out = append(out, g.Forward(x, true).Data...)
		g.Backward(dy)
		for _, p := range g.Params() {
			grads = append(grads, append([]float32(nil), p.Grad.Data...))
		}
		return out, append(dx, g.Input().Grad.Data...), grads
	}
	kernel.SetThreads(1)
	out1, dx1, grads1 := step()
	kernel.SetThreads(2)
	out2, dx2, grads2 := step()
	if g.shards.active != 2 {
		t.Fatalf("the step ran in %d shards, want 2", g.shards.active)
	}
	closeTo(t, "output", out2, out1, 1e-5)
	closeTo(t, "input gradient", dx2, dx1, 1e-5)
	for i, p := range g.Params() {
		closeTo(t, p.Name, grads2[i], grads1[i], 1e-4)
	}
}

// TestMatMulEmptyBatch runs a batch of no examples.
func TestMatMulEmptyBatch(t *testing.T) {
	l := NewMatMul()
	shape, err := l.Build([][]int{{2, 2, 3}, {1, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := tensor.New(0, 2, 2, 3), tensor.New(0, 1, 3, 4)
	out := tensor.New(append([]int{0}, shape...)...)
	l.Forward([]*tensor.Tensor{a, b}, out, true)
	l.Backward([]*tensor.Tensor{a, b}, out, out, []*tensor.Tensor{tensor.New(a.Shape...), tensor.New(b.Shape...)})
}

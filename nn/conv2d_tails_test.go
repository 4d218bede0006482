package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/convnet/convnet/tensor"
)

// scriptedUnits hands worker w the units of order[w], in that order.
type scriptedUnits struct{ order [][]int }

func (s *scriptedUnits) next(w int) (int, bool) {
	if len(s.order[w]) == 0 {
		return 0, false
	}
	u := s.order[w][0]
	s.order[w] = s.order[w][1:]
	return u, true
}

// stealOrders returns every way two workers can end up with the units
// [0, n) under stealRanges: worker 0 starts on [0, n0) and worker 1 on
// [n0, n), each from the front; one of them, done first, takes the rest
// of the other's from the back.
func stealOrders(n int) [][2][]int {
	n0 := n / 2
	up := func(lo, hi int) []int {
		var s []int
		for u := lo; u < hi; u++ {
			s = append(s, u)
		}
		return s
	}
	down := func(lo, hi int) []int {
		s := up(lo, hi)
		slices.Reverse(s)
		return s
	}
	var orders [][2][]int
	for a := 0; a <= n0; a++ { // worker 1 took [a, n0) from worker 0
		orders = append(orders, [2][]int{up(0, a), append(up(n0, n), down(a, n0)...)})
	}
	for c := n0; c < n; c++ { // worker 0 took [c, n) from worker 1
		orders = append(orders, [2][]int{append(up(0, n0), down(c, n)...), up(n0, c)})
	}
	return orders
}

// TestConv2DTailsStealOrders runs the shared-tail paths on every order in
// which two workers can take their units (stealOrders): whoever pads an
// example, computes its blocks or keeps its tail, the output and the input
// gradient keep the bits of the static split. Each worker runs alone, one
// after the other; they share nothing but the outputs, in disjoint places.
func TestConv2DTailsStealOrders(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pad1 := func(c *Conv2D) { c.PadT, c.PadL, c.PadB, c.PadR = 1, 1, 1, 1 }
	for _, c := range []struct {
		n, ch, hw, f int
		mod          func(*Conv2D)
		dx           bool // the input gradient takes the shared-tail path too
	}{
		{5, 16, 14, 24, pad1, true},
		{3, 16, 6, 16, func(c *Conv2D) { pad1(c); c.Groups = 2 }, true},
		{11, 8, 6, 8, pad1, true}, // more examples than one product of tails takes
		{3, 8, 8, 8, func(c *Conv2D) { c.NoBias = true }, false},
	} {
		l := NewConv2D(c.f, 3)
		c.mod(l)
		shape, err := l.Build([][]int{{c.ch, c.hw, c.hw}})
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%d×%d×%d×%d %s", c.n, c.ch, c.hw, c.hw, l.Describe())
		for _, p := range l.Params() {
			for i := range p.Value.Data {
				p.Value.Data[i] = 2*rng.Float32() - 1
			}
		}
		x := randTensor(rng, c.n, c.ch, c.hw, c.hw)
		y := tensor.New(append([]int{c.n}, shape...)...)
		dy := randTensor(rng, y.Shape...)
		dx := tensor.New(x.Shape...)
		stealEnabled = false
		withThreads(2, func() {
			l.Forward([]*tensor.Tensor{x}, y, true)
			l.Backward([]*tensor.Tensor{x}, y, dy, []*tensor.Tensor{dx})
		})
		stealEnabled = true
		if !l.forwardTailsOn(1) || l.inputGradTailsOn(1) != c.dx || len(l.work) < 2 {
			t.Fatalf("%s: shared-tail paths %v, %v, %d workers; want true, %v, 2", name, l.forwardTailsOn(1), l.inputGradTailsOn(1), len(l.work), c.dx)
		}
		check := func(what string, want []float32, per int, run func(out []float32, w int, units unitSource)) {
			for _, order := range stealOrders(c.n * per) {
				got := make([]float32, len(want))
				for i := range got {
					got[i] = float32(math.NaN())
				}
				units := &scriptedUnits{order: [][]int{order[0], order[1]}}
				run(got, 0, units)
				run(got, 1, units)
				if !slices.Equal(got, want) {
					t.Fatalf("%s: %s differs from the static split's with units taken as %v", name, what, order)
				}
			}
		}
		check("output", y.Data, tailUnits(y.Shape[2]*y.Shape[3]), func(out []float32, w int, units unitSource) {
			l.forwardTails(x.Data, out, &l.work[w], units)
		})
		if c.dx {
			check("input gradient", dx.Data, tailUnits(c.hw*c.hw), func(out []float32, w int, units unitSource) {
				l.inputGradTails(dy.Data, out, &l.work[w], units)
			})
		}
	}
}

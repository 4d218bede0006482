package nn

import (
	"testing"

	"github.com/convnet/convnet/tensor"
)

func TestPReLUGradients(t *testing.T) {
	checkGradients(t, gradCase{name: "prelu per channel", layer: NewPReLU(), shapes: [][]int{{3, 4, 3, 5}}, avoid: 0.05})
	checkGradients(t, gradCase{name: "prelu shared", layer: &PReLU{Shared: true}, shapes: [][]int{{3, 4, 3, 5}}, avoid: 0.05})
	checkGradients(t, gradCase{name: "prelu flat", layer: NewPReLU(), shapes: [][]int{{5, 6}}, avoid: 0.05})
}

func TestPReLUInit(t *testing.T) {
	p := NewPReLU()
	if _, err := p.Build([][]int{{3, 2, 2}}); err != nil {
		t.Fatal(err)
	}
	if len(p.A.Value.Data) != 3 {
		t.Fatalf("%d slopes for 3 channels", len(p.A.Value.Data))
	}
	for _, a := range p.A.Value.Data {
		if a != 0.25 {
			t.Fatalf("slopes = %v, want 0.25 as PyTorch", p.A.Value.Data)
		}
	}
	x := tensor.FromData([]float32{-4, 2}, 1, 2)
	q := NewPReLU()
	if _, err := q.Build([][]int{{2}}); err != nil {
		t.Fatal(err)
	}
	out := tensor.New(1, 2)
	q.Forward([]*tensor.Tensor{x}, out, false)
	if out.Data[0] != -1 || out.Data[1] != 2 {
		t.Errorf("prelu(-4, 2) = %v, want (-1, 2)", out.Data)
	}
}

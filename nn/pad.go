package nn

import (
	"fmt"

	"github.com/convnet/convnet/tensor"
)

// Pad widens each example's axes, or crops them where a pad is negative,
// as ONNX Pad (modes constant, reflect, edge) on the axes after the batch
// and PyTorch's F.pad:
//
//	in (N, S_0, …, S_{r-1}), out (N, S_k + Begin[k] + End[k] …)
//	out[i] = in[j], j_k = i_k - Begin[k] when 0 ≤ j_k < S_k; outside:
//	  constant: out[i] = Value
//	  reflect:  j_k mirrored about the edge, which is not repeated (-1 → 1, S_k → S_k-2)
//	  edge:     j_k clamped to [0, S_k-1]
//
// Backward sums dOut into the input element each output read:
// dx[j] = Σ_{i reads j} dy[i] (zero for cropped elements).
type Pad struct {
	Mode       string // "constant", "reflect" or "edge"
	Begin, End []int  // per-example axes; negative crops
	Value      float32

	index []int32 // per-example output element -> input element, -1 for Value
}

func (l *Pad) Type() string     { return "pad" }
func (l *Pad) Params() []*Param { return nil }

func (l *Pad) Describe() string {
	s := fmt.Sprintf("pad(%s,begin=%s,end=%s", l.Mode, joinInts(l.Begin, ":"), joinInts(l.End, ":"))
	if l.Mode == "constant" && l.Value != 0 {
		s += fmt.Sprintf(",value=%g", l.Value)
	}
	return s + ")"
}

func (l *Pad) Build(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("pad takes one input, gets %d", len(in))
	}
	switch l.Mode {
	case "constant", "reflect", "edge":
	default:
		return nil, fmt.Errorf("pad: unknown mode %q (want constant, reflect or edge)", l.Mode)
	}
	s := in[0]
	if len(l.Begin) != len(s) || len(l.End) != len(s) {
		return nil, fmt.Errorf("%s does not fit the %d axes of %s", l.Describe(), len(s), tensor.ShapeString(s))
	}
	out := make([]int, len(s))
	for k, d := range s {
		out[k] = d + l.Begin[k] + l.End[k]
		if out[k] < 0 || l.Begin[k] < -d || l.End[k] < -d {
			return nil, fmt.Errorf("%s crops more than the input %s", l.Describe(), tensor.ShapeString(s))
		}
		if l.Mode != "constant" && d == 0 && out[k] > 0 {
			return nil, fmt.Errorf("%s cannot pad an empty axis", l.Describe())
		}
		if l.Mode == "reflect" && (l.Begin[k] >= d && l.Begin[k] > 0 || l.End[k] >= d && l.End[k] > 0) {
			return nil, fmt.Errorf("%s: reflect pads must be smaller than the input %s", l.Describe(), tensor.ShapeString(s))
		}
	}
	if err := checkIndexable("pad", out); err != nil {
		return nil, err
	}
	if err := checkIndexable("pad", s); err != nil {
		return nil, err
	}
	inStride := tensor.Strides(s)
	l.index = make([]int32, tensor.Size(out))
	idx := make([]int, len(out))
	for o := range l.index {
		src := 0
		for k, i := range idx {
			j := i - l.Begin[k]
			if j < 0 || j >= s[k] {
				switch l.Mode {
				case "constant":
					src = -1
				case "edge":
					j = min(max(j, 0), s[k]-1)
				case "reflect":
					if j < 0 {
						j = -j
					} else {
						j = 2*(s[k]-1) - j
					}
				}
			}
			if src < 0 {
				break
			}
			src += j * inStride[k]
		}
		l.index[o] = int32(src)
		for k := len(out) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < out[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out, nil
}

func (l *Pad) Forward(in []*tensor.Tensor, out *tensor.Tensor, train bool) {
	x, y := in[0].Data, out.Data
	per, perIn := len(l.index), 0
	if n := out.Shape[0]; n > 0 {
		perIn = len(x) / n
	}
	for e := 0; e*per < len(y) && per > 0; e++ {
		xe, ye := x[e*perIn:(e+1)*perIn], y[e*per:(e+1)*per]
		for i, j := range l.index {
			if j < 0 {
				ye[i] = l.Value
			} else {
				ye[i] = xe[j]
			}
		}
	}
}

func (l *Pad) Backward(in []*tensor.Tensor, out, dOut *tensor.Tensor, dIn []*tensor.Tensor) {
	if dIn[0] == nil {
		return
	}
	dx, dy := dIn[0].Data, dOut.Data
	clear(dx)
	per, perIn := len(l.index), 0
	if n := out.Shape[0]; n > 0 {
		perIn = len(dx) / n
	}
	for e := 0; e*per < len(dy) && per > 0; e++ {
		dxe, dye := dx[e*perIn:(e+1)*perIn], dy[e*per:(e+1)*per]
		for i, j := range l.index {
			if j >= 0 {
				dxe[j] += dye[i]
			}
		}
	}
}

// Clone returns an unbuilt pad with the same mode, pads and value.
func (l *Pad) Clone() Layer {
	return &Pad{Mode: l.Mode, Begin: append([]int(nil), l.Begin...), End: append([]int(nil), l.End...), Value: l.Value}
}

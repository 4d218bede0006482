package optim

import (
	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/tensor"
)

// slots is an optimizer's per-parameter state: for each kind ("momentum", or
// "adam.m" and "adam.v") one float32 buffer per parameter, keyed by the
// parameter's position in the params slice. The buffers are allocated once,
// on the first Step or by restore, and reused after that. The zero value
// holds nothing.
type slots struct {
	kinds  []string      // state name suffixes, fixed by the optimizer's package-level list
	names  []string      // parameter names, taken at allocation
	shapes [][]int       // parameter shapes, taken at allocation
	bufs   [][][]float32 // bufs[k][i] is state kind k of parameter i
}

// warm reports whether the buffers exist.
func (s *slots) warm() bool { return s.names != nil }

// reset drops the buffers, as before the first Step.
func (s *slots) reset() { *s = slots{} }

// fit allocates zeroed buffers of each kind for params on the first call.
// Later calls check that params still has the sizes it had; they allocate
// nothing.
func (s *slots) fit(params []*nn.Param, kinds []string) {
	if !s.warm() {
		s.alloc(params, kinds)
		return
	}
	if len(params) != len(s.names) {
		panic("optim: Step got a different number of parameters than the optimizer state holds; use one optimizer per parameter set")
	}
	for i, p := range params {
		if len(p.Value.Data) != tensor.Size(s.shapes[i]) {
			panic("optim: a parameter changed size since the optimizer state was made; use one optimizer per parameter set")
		}
	}
}

func (s *slots) alloc(params []*nn.Param, kinds []string) {
	s.kinds = kinds
	s.names = make([]string, len(params))
	s.shapes = make([][]int, len(params))
	s.bufs = make([][][]float32, len(s.kinds))
	for k := range s.kinds {
		s.bufs[k] = make([][]float32, len(params))
	}
	for i, p := range params {
		s.names[i] = p.Name
		s.shapes[i] = append([]int(nil), p.Value.Shape...)
		for k := range s.kinds {
			s.bufs[k][i] = make([]float32, len(p.Value.Data))
		}
	}
}

// state returns copies of the buffers named "<param>.<kind>", parameter by
// parameter, or nil before the first Step.
func (s *slots) state() []*nn.Param {
	if !s.warm() {
		return nil
	}
	out := make([]*nn.Param, 0, len(s.names)*len(s.kinds))
	for i, name := range s.names {
		for k, kind := range s.kinds {
			data := append([]float32(nil), s.bufs[k][i]...)
			out = append(out, &nn.Param{Name: name + "." + kind, Value: tensor.FromData(data, s.shapes[i]...)})
		}
	}
	return out
}

// scalar returns a one-element state tensor, how counters are saved.
func scalar(name string, v float32) *nn.Param {
	return &nn.Param{Name: name, Value: tensor.FromData([]float32{v}, 1)}
}

// restore makes slots for params from state, which must hold exactly
// "<param>.<kind>" for every parameter and each of kinds, with the
// parameter's shape, and a one-element tensor for each of globals, whose
// values it returns in order. The caller commits the result after checking
// the values, so a failed restore changes nothing.
func restore(params, state []*nn.Param, kinds []string, globals ...string) (slots, []float32, error) {
	type want struct {
		shape []int
		dst   []float32
		seen  bool
	}
	var next slots
	next.alloc(params, kinds)
	values := make([]float32, len(globals))
	wants := make(map[string]*want)
	var order []string // for a deterministic "missing" error
	add := func(name string, w *want) {
		wants[name] = w
		order = append(order, name)
	}
	for i, p := range params {
		if p.Name == "" {
			return slots{}, nil, stateErrorf("parameter %d has no name to match state by", i)
		}
		for k, kind := range kinds {
			name := p.Name + "." + kind
			if _, dup := wants[name]; dup {
				return slots{}, nil, stateErrorf("two parameters are named %q", p.Name)
			}
			add(name, &want{shape: next.shapes[i], dst: next.bufs[k][i]})
		}
	}
	for j, g := range globals {
		add(g, &want{shape: []int{1}, dst: values[j : j+1]})
	}
	for i, st := range state {
		if st == nil {
			return slots{}, nil, stateErrorf("state %d is nil", i)
		}
		w, ok := wants[st.Name]
		switch {
		case !ok:
			return slots{}, nil, stateErrorf("unexpected state %q: saved by another optimizer or for other parameters?", st.Name)
		case w.seen:
			return slots{}, nil, stateErrorf("state %q appears twice", st.Name)
		case st.Value == nil || len(st.Value.Data) != tensor.Size(st.Value.Shape):
			return slots{}, nil, stateErrorf("state %q has no well-formed tensor", st.Name)
		case !tensor.EqualShape(st.Value.Shape, w.shape):
			return slots{}, nil, stateErrorf("state %q has shape %s, want %s", st.Name,
				tensor.ShapeString(st.Value.Shape), tensor.ShapeString(w.shape))
		}
		copy(w.dst, st.Value.Data)
		w.seen = true
	}
	for _, name := range order {
		if !wants[name].seen {
			return slots{}, nil, stateErrorf("no state %q", name)
		}
	}
	return next, values, nil
}

// checkGrad panics when p's gradient and value differ in size, which would
// otherwise update part of the parameter silently.
func checkGrad(p *nn.Param) {
	if len(p.Grad.Data) != len(p.Value.Data) {
		panic("optim: parameter gradient and value differ in size")
	}
}

package nn

import (
	"bytes"
	"testing"
)

// TestReadCheckpointInto saves a model without a spec, as one imported
// from ONNX is, and reads it back into a fresh copy of that model.
func TestReadCheckpointInto(t *testing.T) {
	build := func(seed uint64, input ...int) *Model {
		g := NewGraph(input...)
		g.MustAdd(NewReshape(2, 8))
		g.MustAdd(NewTranspose(1, 0))
		g.MustAdd(Flatten{})
		g.MustAdd(NewDense(3))
		g.Init(seed)
		return &Model{Input: input, Classes: []string{"a", "b", "c"}, Graph: g}
	}
	var buf bytes.Buffer
	saved := build(1, 1, 4, 4)
	extra := NewParam("optim.v", 2)
	extra.Value.Data[1] = 7
	if err := WriteCheckpoint(&buf, &Checkpoint{Model: saved, ExtraTensors: []*Param{extra}, Extra: map[string]string{"epoch": "1"}}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if _, err := ReadCheckpoint(bytes.NewReader(b), int64(len(b))); err == nil || !contains(err.Error(), "imported from ONNX") {
		t.Errorf("ReadCheckpoint of a model without a spec: %v", err)
	}
	m := build(2, 1, 4, 4)
	c, err := ReadCheckpointInto(bytes.NewReader(b), int64(len(b)), m)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != m || c.Extra["epoch"] != "1" || len(c.ExtraTensors) != 1 || c.ExtraTensors[0].Value.Data[1] != 7 {
		t.Errorf("checkpoint read as %+v", c)
	}
	for i, p := range m.Graph.Params() {
		want := saved.Graph.Params()[i]
		if !equalFloats(p.Value.Data, want.Value.Data) {
			t.Errorf("%s was not restored", p.Name)
		}
	}
	if _, err := ReadCheckpointInto(bytes.NewReader(b), int64(len(b)), build(2, 16, 1, 1)); err == nil || !contains(err.Error(), "it holds another model") {
		t.Errorf("a checkpoint read into a model of another input: %v", err)
	}
}

package nn

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"

	"github.com/convnet/convnet/tensor"
	"testing"
)

func testModel(t testing.TB, spec string) *Model {
	t.Helper()
	m, err := NewModel(spec, []int{1, 12, 12}, []string{"a", "b", "c"}, SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m.Graph.Init(7)
	return m
}

const smallSpec = "conv(4,3,pad=1) relu conv(4,3,stride=2) relu flatten dense(3)"

func TestCheckpointRoundTrip(t *testing.T) {
	m := testModel(t, smallSpec)
	p := filepath.Join(t.TempDir(), "m.convnet")
	extra := &Param{Name: "opt.step", Value: tensor.FromValues(3)}
	if err := SaveCheckpoint(p, &Checkpoint{Model: m, ExtraTensors: []*Param{extra}, Extra: map[string]string{"epoch": "2"}}); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCheckpoint(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Extra["epoch"] != "2" || len(c.ExtraTensors) != 1 || c.ExtraTensors[0].Value.Data[0] != 3 {
		t.Fatalf("extra state lost: %+v", c)
	}
	a, b := modelTensors(m), modelTensors(c.Model)
	for i := range a {
		if !bytes.Equal(f32bytes(a[i].Value.Data), f32bytes(b[i].Value.Data)) {
			t.Fatalf("%s differs after reload", a[i].Name)
		}
	}
	if c.Model.Spec != smallSpec || c.Model.Classes[2] != "c" {
		t.Fatalf("metadata lost: %+v", c.Model)
	}
}

func TestCheckpointCorrupt(t *testing.T) {
	m := testModel(t, smallSpec)
	var buf bytes.Buffer
	if err := WriteCheckpoint(&buf, &Checkpoint{Model: m}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	hugeHeader := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(hugeHeader[12:], 1<<30)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"bad magic", append([]byte("NOTMODEL"), good[8:]...), "bad magic"},
		{"truncated data", good[:len(good)-10], "truncated or corrupt"},
		{"truncated header", good[:40], "does not fit"},
		{"huge header", hugeHeader, "does not fit"},
	} {
		_, err := ReadCheckpoint(bytes.NewReader(tc.data), int64(len(tc.data)))
		if err == nil || !contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestCopyWeightsFromAnotherModel(t *testing.T) {
	a := testModel(t, smallSpec)
	b := testModel(t, "conv(8,3,pad=1) relu conv(4,3,stride=2) relu flatten dense(3)")
	err := CopyWeights(a, b)
	if err == nil || !contains(err.Error(), "checkpoint is from another model: it has conv1.weight (8, 1, 3, 3) where this model has conv1.weight (4, 1, 3, 3)") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := LoadModel(filepath.Join(t.TempDir(), "nope.convnet"))
	if err == nil || !contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzReadCheckpoint(f *testing.F) {
	m := testModel(f, smallSpec)
	var buf bytes.Buffer
	WriteCheckpoint(&buf, &Checkpoint{Model: m})
	f.Add(buf.Bytes())
	f.Add([]byte("CONVNET\x00\x01\x00\x00\x00\x02\x00\x00\x00{}"))
	if seeds, err := filepath.Glob("testdata/checkpoints/*.convnet"); err == nil {
		for _, s := range seeds {
			if b, err := os.ReadFile(s); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCheckpoint(bytes.NewReader(data), int64(len(data)))
		if err == nil && c.Model == nil {
			t.Fatal("no error and no model")
		}
	})
}

func f32bytes(v []float32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

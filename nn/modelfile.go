package nn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/convnet/convnet/internal/atomicfile"
	"github.com/convnet/convnet/tensor"
)

// The checkpoint file format, version 1, little-endian:
//
//	magic   [8]byte  "CONVNET\x00"
//	version uint32   1
//	hdrLen  uint32   length of the JSON header, at most maxHeader
//	header  JSON     checkpointHeader
//	data    float32  every tensor of header.Tensors, in order, row-major
//
// The header carries the model spec, so a checkpoint rebuilds its own model.
// Training state (optimizer moments, step, random state) travels as extra
// tensors and the Extra map, which the train package fills.

var checkpointMagic = [8]byte{'C', 'O', 'N', 'V', 'N', 'E', 'T', 0}

const (
	checkpointVersion = 1
	maxHeader         = 16 << 20
	maxTensorDims     = 8
)

type checkpointHeader struct {
	Spec       string            `json:"spec"`
	Activation string            `json:"activation,omitempty"`
	Input      []int             `json:"input"`
	Classes    []string          `json:"classes"`
	Tensors    []tensorHeader    `json:"tensors"`
	Extra      map[string]string `json:"extra,omitempty"`
}

type tensorHeader struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// CheckpointError is a checkpoint that cannot be read or does not fit.
type CheckpointError struct {
	Path string
	Msg  string
}

func (e *CheckpointError) Error() string {
	if e.Path == "" {
		return "checkpoint: " + e.Msg
	}
	return fmt.Sprintf("checkpoint %s: %s", e.Path, e.Msg)
}

// Checkpoint is the content of a checkpoint file: the model and any extra
// named tensors and strings saved with it.
type Checkpoint struct {
	Model        *Model
	ExtraTensors []*Param          // training state; Value only
	Extra        map[string]string // e.g. "epoch", "step"
}

// modelTensors lists what a model saves: parameters, then state.
func modelTensors(m *Model) []*Param {
	return append(m.Graph.Params(), m.Graph.State()...)
}

// WriteCheckpoint encodes c to w.
func WriteCheckpoint(w io.Writer, c *Checkpoint) error {
	m := c.Model
	h := checkpointHeader{Spec: m.Spec, Activation: m.Activation, Input: m.Input, Classes: m.Classes, Extra: c.Extra}
	all := append(modelTensors(m), c.ExtraTensors...)
	for _, p := range all {
		h.Tensors = append(h.Tensors, tensorHeader{Name: p.Name, Shape: p.Value.Shape})
	}
	js, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var pre [16]byte
	copy(pre[:8], checkpointMagic[:])
	binary.LittleEndian.PutUint32(pre[8:], checkpointVersion)
	binary.LittleEndian.PutUint32(pre[12:], uint32(len(js)))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, p := range all {
		for _, v := range p.Value.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	_, err = w.Write(buf)
	return err
}

// SaveCheckpoint writes c to path atomically: a crash or error mid-write
// leaves any previous file at path intact.
func SaveCheckpoint(path string, c *Checkpoint) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return WriteCheckpoint(w, c) })
}

// SaveModel writes m alone (no training state) to path atomically.
func SaveModel(path string, m *Model) error {
	return SaveCheckpoint(path, &Checkpoint{Model: m})
}

// ReadCheckpoint decodes a checkpoint of size bytes from r, rebuilding its
// model. size bounds every allocation: a header that claims more data than
// the file holds is an error, not an allocation.
func ReadCheckpoint(r io.Reader, size int64) (*Checkpoint, error) {
	return readCheckpoint(r, size, nil)
}

// ReadCheckpointInto decodes a checkpoint of model m, which has no spec to
// rebuild it from (a model imported from ONNX): the saved parameters and
// state are read into m's, whose input, tensor names and shapes the
// checkpoint must match. On an error m may be left part read.
func ReadCheckpointInto(r io.Reader, size int64, m *Model) (*Checkpoint, error) {
	return readCheckpoint(r, size, m)
}

func readCheckpoint(r io.Reader, size int64, into *Model) (*Checkpoint, error) {
	var pre [16]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, &CheckpointError{Msg: "too short to be a convnet checkpoint"}
	}
	if !bytes.Equal(pre[:8], checkpointMagic[:]) {
		return nil, &CheckpointError{Msg: "not a convnet checkpoint (bad magic)"}
	}
	if v := binary.LittleEndian.Uint32(pre[8:]); v != checkpointVersion {
		return nil, &CheckpointError{Msg: fmt.Sprintf("format version %d; this build reads version %d", v, checkpointVersion)}
	}
	hl := int64(binary.LittleEndian.Uint32(pre[12:]))
	if hl > maxHeader || hl > size-16 {
		return nil, &CheckpointError{Msg: fmt.Sprintf("header of %d bytes does not fit in the file (truncated?)", hl)}
	}
	js := make([]byte, hl)
	if _, err := io.ReadFull(r, js); err != nil {
		return nil, &CheckpointError{Msg: "truncated header"}
	}
	var h checkpointHeader
	if err := json.Unmarshal(js, &h); err != nil {
		return nil, &CheckpointError{Msg: "corrupt header: " + err.Error()}
	}
	remaining := size - 16 - hl
	var total int64
	for _, th := range h.Tensors {
		if len(th.Shape) > maxTensorDims {
			return nil, &CheckpointError{Msg: fmt.Sprintf("tensor %s has %d dimensions", th.Name, len(th.Shape))}
		}
		n := int64(1)
		for _, d := range th.Shape {
			if d < 0 || d > math.MaxInt32 || n*int64(d) > remaining/4+1 {
				return nil, &CheckpointError{Msg: fmt.Sprintf("tensor %s shape %v does not fit in the file (truncated?)", th.Name, th.Shape)}
			}
			n *= int64(d)
		}
		total += n
	}
	if total*4 != remaining {
		return nil, &CheckpointError{Msg: fmt.Sprintf("file holds %d bytes of tensor data, header describes %d (truncated or corrupt)", remaining, total*4)}
	}
	m := into
	switch {
	case into != nil:
		if h.Spec != into.Spec || !tensor.EqualShape(h.Input, into.Input) {
			return nil, &CheckpointError{Msg: fmt.Sprintf("it holds another model (input %v, spec %q), not this one (input %v, spec %q)", h.Input, h.Spec, into.Input, into.Spec)}
		}
	case h.Spec == "":
		return nil, &CheckpointError{Msg: "it holds a model imported from ONNX, which it cannot rebuild alone: give that model too (convnet train --init MODEL.onnx --resume CHECKPOINT); the ONNX file saved beside the checkpoint holds the same weights"}
	default:
		if len(h.Input) != 3 || h.Input[0] < 1 || h.Input[1] < 1 || h.Input[2] < 1 || h.Input[0]*h.Input[1]*h.Input[2] > 1<<26 {
			return nil, &CheckpointError{Msg: fmt.Sprintf("bad input shape %v", h.Input)}
		}
		// The spec may not ask for more parameters than the file holds values.
		var err error
		if m, err = NewModel(h.Spec, h.Input, h.Classes, SpecOptions{Activation: h.Activation, MaxParams: max(total, 1)}); err != nil {
			return nil, &CheckpointError{Msg: "its model does not build: " + err.Error()}
		}
	}
	c := &Checkpoint{Model: m, Extra: h.Extra}
	want := modelTensors(m)
	if len(h.Tensors) < len(want) {
		return nil, &CheckpointError{Msg: fmt.Sprintf("holds %d tensors, its model has %d", len(h.Tensors), len(want))}
	}
	buf := make([]byte, 1<<16)
	for i, th := range h.Tensors {
		var p *Param
		if i < len(want) {
			p = want[i]
			if p.Name != th.Name || !tensor.EqualShape(p.Value.Shape, th.Shape) {
				return nil, &CheckpointError{Msg: fmt.Sprintf("tensor %d is %s %v, its model expects %s %v", i, th.Name, th.Shape, p.Name, p.Value.Shape)}
			}
		} else {
			p = &Param{Name: th.Name, Value: tensor.New(th.Shape...)}
			c.ExtraTensors = append(c.ExtraTensors, p)
		}
		if err := readFloats(r, p.Value.Data, buf); err != nil {
			return nil, &CheckpointError{Msg: "truncated tensor data"}
		}
	}
	return c, nil
}

func readFloats(r io.Reader, dst []float32, buf []byte) error {
	for len(dst) > 0 {
		n := min(len(dst), len(buf)/4)
		if _, err := io.ReadFull(r, buf[:n*4]); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[i*4:]))
		}
		dst = dst[n:]
	}
	return nil
}

// LoadCheckpoint reads the checkpoint at path.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	return loadCheckpoint(path, nil)
}

// LoadCheckpointInto reads the checkpoint of model m at path (see
// ReadCheckpointInto).
func LoadCheckpointInto(path string, m *Model) (*Checkpoint, error) {
	return loadCheckpoint(path, m)
}

func loadCheckpoint(path string, into *Model) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &CheckpointError{Path: path, Msg: "no such file"}
		}
		return nil, &CheckpointError{Path: path, Msg: err.Error()}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &CheckpointError{Path: path, Msg: err.Error()}
	}
	c, err := readCheckpoint(bufio.NewReaderSize(f, 1<<16), st.Size(), into)
	if err != nil {
		var ce *CheckpointError
		if errors.As(err, &ce) && ce.Path == "" {
			ce.Path = path
		}
		return nil, err
	}
	return c, nil
}

// LoadModel reads the model saved at path.
func LoadModel(path string) (*Model, error) {
	c, err := LoadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	return c.Model, nil
}

// CopyWeights sets dst's parameters and state from src. It fails, changing
// nothing, when the two models differ in any tensor's name or shape, as a
// checkpoint from another model does.
func CopyWeights(dst, src *Model) error {
	d, s := modelTensors(dst), modelTensors(src)
	if len(d) != len(s) {
		return fmt.Errorf("checkpoint is from another model: it has %d tensors, this model %d (checkpoint model: %s)", len(s), len(d), src.Spec)
	}
	for i := range d {
		if d[i].Name != s[i].Name || !tensor.EqualShape(d[i].Value.Shape, s[i].Value.Shape) {
			return fmt.Errorf("checkpoint is from another model: it has %s %s where this model has %s %s",
				s[i].Name, tensor.ShapeString(s[i].Value.Shape), d[i].Name, tensor.ShapeString(d[i].Value.Shape))
		}
	}
	for i := range d {
		copy(d[i].Value.Data, s[i].Value.Data)
	}
	return nil
}

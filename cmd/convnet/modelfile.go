package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/convnet/convnet/nn"
	"github.com/convnet/convnet/onnx"
)

// loadModel reads a saved model for eval, predict, summary and the other
// commands that take --model PATH. It is the one place that knows the model
// file formats, told apart by content: a native checkpoint starts with
// "CONVNET"; anything else is read as ONNX.
func loadModel(path string) (*nn.Model, error) {
	if isCheckpoint(path) {
		return nn.LoadModel(path)
	}
	m, err := onnx.LoadNN(path)
	var fe *onnx.FormatError
	if errors.As(err, &fe) && strings.HasPrefix(fe.Msg, "not an ONNX model") {
		return nil, fmt.Errorf("%s is not a model file: not ONNX and not a convnet checkpoint", path)
	}
	return m, err
}

// saveModel writes m in the default model format, ONNX.
func saveModel(path string, m *nn.Model) error {
	return onnx.SaveModel(path, m)
}

func isCheckpoint(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [7]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && bytes.Equal(magic[:], []byte("CONVNET"))
}

// isModelFile reports whether path names a saved model (native checkpoint
// or ONNX) rather than a model spec: by its content, or by its extension,
// so that a corrupt model file is read as one and its error says what is
// wrong with it, instead of a spec parser's complaint about binary bytes.
func isModelFile(path string) bool {
	if isCheckpoint(path) {
		return true
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".onnx", ".convnet", ".ckpt":
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return false
	}
	_, err = onnx.ReadModel(b)
	return err == nil
}

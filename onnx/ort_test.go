package onnx

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ortScript runs an ONNX model in ONNX Runtime (the npm package
// onnxruntime-node) on the input in a JSON file and prints the output.
const ortScript = `
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const s = await ort.InferenceSession.create(process.argv[2]);
  const x = JSON.parse(fs.readFileSync(process.argv[3]));
  const out = await s.run({ input: new ort.Tensor('float32', Float32Array.from(x.data), x.dims) });
  const o = out[s.outputNames[0]];
  console.log(JSON.stringify({ dims: o.dims, data: Array.from(o.data) }));
})().catch(e => { console.error(e.message); process.exit(1); });
`

// TestExportRunsInONNXRuntime runs exported models in ONNX Runtime and
// compares with convnet's outputs. It needs node and onnxruntime-node:
//
//	mkdir /tmp/ort && cd /tmp/ort && ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node
//	CONVNET_ORT_NODE_PATH=/tmp/ort/node_modules go test ./onnx -run ONNXRuntime
func TestExportRunsInONNXRuntime(t *testing.T) {
	modules := os.Getenv("CONVNET_ORT_NODE_PATH")
	if modules == "" {
		t.Skip("set CONVNET_ORT_NODE_PATH to a node_modules folder holding onnxruntime-node (see the doc comment)")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "ort.js")
	os.WriteFile(script, []byte(ortScript), 0o644)
	for i, tc := range exportSpecs {
		m := testModel(t, tc.spec, tc.input)
		path := filepath.Join(dir, "m.onnx")
		if err := SaveModel(path, m); err != nil {
			t.Fatal(err)
		}
		x := randomInput(3, tc.input, uint64(i))
		want := m.Graph.Forward(x, false)
		in, _ := json.Marshal(map[string]any{"dims": x.Shape, "data": x.Data})
		inPath := filepath.Join(dir, "in.json")
		os.WriteFile(inPath, in, 0o644)
		cmd := exec.Command("node", script, path, inPath)
		cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: onnxruntime: %v %s", tc.spec, err, exitStderr(err))
		}
		var got struct {
			Dims []int
			Data []float32
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(got.Data, want.Data); d > 1e-4 || len(got.Data) != len(want.Data) {
			t.Errorf("%s: ONNX Runtime gives %v, max abs diff %g from convnet", tc.spec, got.Dims, d)
		} else {
			t.Logf("%s: max abs diff %.3g", tc.spec, d)
		}
	}
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

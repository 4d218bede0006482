package serve

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/convnet/convnet/onnx"
)

// TestDeployFiles checks deploy/ against what convnet exports: the Triton
// config names the exported LeNet-5's input and output with their shapes,
// parses as text format (with protoc, when installed), and the KServe
// manifest asks for an ONNX model over the v2 protocol. Triton and KServe
// themselves are not run here.
func TestDeployFiles(t *testing.T) {
	m := testModel(t)
	mp, err := onnx.Export(m.Model)
	if err != nil {
		t.Fatal(err)
	}
	p, err := onnx.Compile(mp)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile("../deploy/triton/models/lenet/config.pbtxt")
	if err != nil {
		t.Fatal(err)
	}
	squash := regexp.MustCompile(`\s+`).ReplaceAllString(string(regexp.MustCompile(`#.*`).ReplaceAll(cfg, nil)), " ")
	for _, want := range []string{
		`name: "lenet"`, `platform: "onnxruntime_onnx"`,
		`name: "` + p.Inputs[0].Name + `" data_type: TYPE_FP32 dims: [ 1, 28, 28 ]`,
		`name: "` + p.Outputs[0].Name + `" data_type: TYPE_FP32 dims: [ 10 ]`,
	} {
		if !strings.Contains(squash, want) {
			t.Errorf("config.pbtxt lacks %q", want)
		}
	}
	if _, err := exec.LookPath("protoc"); err == nil {
		cmd := exec.Command("protoc", "--encode=inference.ModelConfig", "--proto_path=../deploy/triton", "model_config_subset.proto")
		cmd.Stdin = strings.NewReader(string(cfg))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("config.pbtxt does not parse: %v\n%s", err, out)
		}
	} else {
		t.Log("protoc not installed: config.pbtxt's text format not checked")
	}
	isvc, err := os.ReadFile("../deploy/kserve/inferenceservice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: InferenceService", "name: lenet", "modelFormat:\n        name: onnx", "protocolVersion: v2"} {
		if !strings.Contains(string(isvc), want) {
			t.Errorf("inferenceservice.yaml lacks %q", want)
		}
	}
}

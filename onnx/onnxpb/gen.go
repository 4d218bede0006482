// Package onnxpb holds the Go types of the ONNX protobuf schema, generated
// by protoc-gen-go from onnx.proto as shipped by Debian's libonnx-dev
// (ONNX 1.12, IR version 8). Regenerate with:
//
//	apt-get install protobuf-compiler libonnx-dev
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go generate ./onnx/onnxpb
package onnxpb

//go:generate sh -c "cp /usr/include/onnx/onnx.proto . && protoc --go_out=. --go_opt=paths=source_relative --go_opt=Monnx.proto=github.com/convnet/convnet/onnx/onnxpb onnx.proto"

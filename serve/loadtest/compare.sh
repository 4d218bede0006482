#!/usr/bin/env bash
# Load-tests convnet serve on loopback with --max-batch 1 and with the
# default batching (--max-batch 32 --max-delay 2ms), for each model,
# alternately: in every round each model is served once per setting, the
# order of the settings flipping from round to round, so that the
# machine's drift falls on both alike. CLIENTS clients for DURATION per
# run. Prints one JSON line per run (see cmd/loadgen) with the server's
# peak RSS and CPU time. Usage, from the repository root:
#
#	serve/loadtest/compare.sh [ROUNDS [DURATION [CLIENTS]]]     # default 3 30s 64
#
# The models (MODELS, default "lenet vgg"), each trained for one epoch on
# 10,000 MNIST digits (speed does not depend on the weights, but the
# replies look like real ones) and exported as ONNX:
#
#	lenet  LeNet-5, convnet's default model: 61,706 weights, most of its
#	       work in its two convolutions.
#	vgg    a small VGG-style network: two blocks of two 3×3 convolutions
#	       (32, then 64 filters) and a 2×2 max pool each, then the
#	       classifier head of VGG and AlexNet, dense(2048) dense(2048)
#	       dense(10): 10.7 million weights, 99% of them in the head, so a
#	       one-image request is a matrix-vector product over 43 MB.
#	spec   the model SPEC="..." describes.
set -euo pipefail
rounds=${1:-3} duration=${2:-30s} clients=${3:-64}
models=${MODELS:-lenet vgg}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/convnet" ./cmd/convnet
go build -o "$dir/loadgen" ./cmd/loadgen
vgg="conv(32,3,pad=1) relu conv(32,3,pad=1) relu maxpool(2) conv(64,3,pad=1) relu conv(64,3,pad=1) relu maxpool(2) flatten dense(2048) relu dense(2048) relu dense(10)"
for name in $models; do
	case $name in
	lenet) spec="" ;;
	vgg) spec=$vgg ;;
	spec) spec=${SPEC:?set SPEC to the model text} ;;
	*) echo "unknown model $name (lenet, vgg or spec)" >&2; exit 2 ;;
	esac
	"$dir/convnet" train --epochs 1 --limit 10000 --quiet --health 0 ${spec:+--model "$spec"} --out "$dir/$name.onnx" >/dev/null
done
port=18000
for round in $(seq "$rounds"); do
	settings="1 32"
	if [ $((round % 2)) = 0 ]; then settings="32 1"; fi
	for name in $models; do
		for batch in $settings; do
			port=$((port + 1))
			"$dir/convnet" serve --model "$dir/$name.onnx" --addr "127.0.0.1:$port" --max-batch "$batch" >/dev/null &
			pid=$!
			for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.1; done
			"$dir/loadgen" --url "http://127.0.0.1:$port" --model "$name" --clients "$clients" --duration "$duration" --pid "$pid" \
				--label "$name, round $round, max-batch $batch, load average $(cut -d' ' -f1 /proc/loadavg)" || true
			kill -TERM "$pid"
			wait "$pid" || true
		done
	done
done

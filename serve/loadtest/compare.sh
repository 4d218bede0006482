#!/usr/bin/env bash
# Load-tests convnet serve on loopback with --max-batch 1 and with the
# default batching, alternately, ROUNDS times each: CLIENTS clients for
# DURATION per run. Prints one JSON line per run (see cmd/loadgen), with
# the server's peak RSS. Usage, from the repository root:
#
#	serve/loadtest/compare.sh [ROUNDS [DURATION [CLIENTS]]]     # default 2 30s 64
#
# SPEC="conv(...) ..." serves that model (trained the same way, named
# "model") instead of LeNet-5.
set -euo pipefail
rounds=${1:-2} duration=${2:-30s} clients=${3:-64}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/convnet" ./cmd/convnet
go build -o "$dir/loadgen" ./cmd/loadgen
# A LeNet-5 (or SPEC) trained for one epoch on 10000 MNIST digits: speed
# does not depend on the weights, but the replies look like real ones.
name=lenet
if [ -n "${SPEC:-}" ]; then
	name=model
	"$dir/convnet" train --epochs 1 --limit 10000 --quiet --health 0 --model "$SPEC" --out "$dir/$name.onnx" >/dev/null
else
	"$dir/convnet" train --epochs 1 --limit 10000 --quiet --health 0 --out "$dir/$name.onnx" >/dev/null
fi
port=18000
for round in $(seq "$rounds"); do
	for batch in 1 32; do
		port=$((port + 1))
		"$dir/convnet" serve --model "$dir/$name.onnx" --addr "127.0.0.1:$port" --max-batch "$batch" >/dev/null &
		pid=$!
		for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break; sleep 0.1; done
		"$dir/loadgen" --url "http://127.0.0.1:$port" --model "$name" --clients "$clients" --duration "$duration" --pid "$pid" --label "round $round, max-batch $batch" || true
		kill -TERM "$pid"
		wait "$pid" || true
	done
done

#!/usr/bin/env node
// ONNX Runtime peer of `convnet bench`: lenet-infer (batch 64, images/s) and
// lenet-latency (batch 1, us) on a LeNet-5 ONNX file, the same JSON lines.
//
//   cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci
//   convnet bench --lenet-onnx /tmp/lenet.onnx
//   node bench/ort_peer.js --model /tmp/lenet.onnx [lenet-infer lenet-latency] [--threads 1,2] [--time 1] [--repeats 5]
//
// Each thread count gets its own session with intraOpNumThreads=T,
// interOpNumThreads=1, sequential execution and every graph optimisation.
// Timing follows internal/bench: a warm-up of a quarter of --time (at least
// two calls), then --repeats repeats of --time/--repeats, and the median.
// A call is one awaited session.run, so JavaScript's share is counted, as a
// Node server would pay it.
'use strict';
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const o = { names: [], threads: [2], time: 1, repeats: 5, model: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--threads') o.threads = val().split(',').map(Number);
    else if (a === '--time') o.time = Number(val());
    else if (a === '--repeats') o.repeats = Number(val());
    else if (a === '--model') o.model = val();
    else if (a.startsWith('--')) throw new Error(`unknown flag ${a}`);
    else o.names.push(a);
  }
  if (!o.model) throw new Error('--model LENET.onnx is required (write one with: convnet bench --lenet-onnx FILE)');
  if (o.names.length === 0) o.names = ['lenet-infer', 'lenet-latency'];
  for (const n of o.names) {
    if (n !== 'lenet-infer' && n !== 'lenet-latency') throw new Error(`unknown benchmark ${n}: ort_peer runs lenet-infer and lenet-latency`);
  }
  return o;
}

async function measure(o, f) {
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  let calls = 0;
  const t0 = now();
  while (calls < 2 || now() - t0 < o.time / 4) {
    await f();
    calls++;
  }
  const per = (now() - t0) / calls;
  const k = Math.max(1, Math.floor(o.time / o.repeats / per));
  const times = [];
  for (let r = 0; r < o.repeats; r++) {
    const t = now();
    for (let i = 0; i < k; i++) await f();
    times.push((now() - t) / k);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function input(n) {
  const data = new Float32Array(n * 28 * 28);
  for (let i = 0; i < data.length; i++) data[i] = Math.random();
  return new ort.Tensor('float32', data, [n, 1, 28, 28]);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const version = require('onnxruntime-node/package.json').version;
  console.log(JSON.stringify({ bench: 'env', peer: 'onnxruntime', onnxruntime_node: version, model: o.model }));
  for (const name of o.names) {
    for (const t of o.threads) {
      const s = await ort.InferenceSession.create(o.model, {
        intraOpNumThreads: t, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
      });
      const n = name === 'lenet-infer' ? 64 : 1;
      const feeds = { [s.inputNames[0]]: input(n) };
      const sec = await measure(o, () => s.run(feeds));
      const r = { bench: name, threads: t, batch: n, images_per_s: n / sec };
      if (n === 1) r.us = sec * 1e6;
      console.log(JSON.stringify(r));
      await s.release();
    }
  }
}

main().catch((e) => { console.error(`ort_peer: ${e.message}`); process.exit(1); });

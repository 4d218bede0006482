#!/usr/bin/env node
// ONNX Runtime peer of `convnet bench`: lenet-infer (batch 64, images/s) and
// lenet-latency (batch 1, us) on a LeNet-5 ONNX file, the same JSON lines.
//
//   cd bench && ONNXRUNTIME_NODE_INSTALL=skip npm ci
//   convnet bench --lenet-onnx /tmp/lenet.onnx
//   node bench/ort_peer.js --model /tmp/lenet.onnx [lenet-infer lenet-latency] [--threads 1,2] [--time 1] [--repeats 5]
//
// Sessions have intraOpNumThreads=T, interOpNumThreads=1, sequential
// execution and every graph optimisation. Timing follows internal/bench's
// measureFresh: each of --repeats repeats gets a fresh session, warmed up
// for a quarter of its share of --time (at least two calls) and timed for
// --time/--repeats, and the median is kept.
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

const now = () => Number(process.hrtime.bigint()) / 1e9;

// warmUp calls f for warm seconds (at least twice) and returns the calls
// that fill a repeat.
async function warmUp(f, warm, repeat) {
  let calls = 0;
  const t0 = now();
  while (calls < 2 || now() - t0 < warm) {
    await f();
    calls++;
  }
  return Math.max(1, Math.floor(repeat / ((now() - t0) / calls)));
}

async function timeCalls(f, k) {
  const t = now();
  for (let i = 0; i < k; i++) await f();
  return (now() - t) / k;
}

// measureFresh is internal/bench's measureFresh: a fresh session per repeat
// (build returns it and the call to time), each kept until the last is
// timed, and the median over them.
async function measureFresh(o, build) {
  const made = [];
  const times = [];
  for (let r = 0; r < o.repeats; r++) {
    const m = await build();
    made.push(m);
    const k = await warmUp(m.call, o.time / (4 * o.repeats), o.time / o.repeats);
    times.push(await timeCalls(m.call, k));
  }
  for (const m of made) await m.session.release();
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
      const n = name === 'lenet-infer' ? 64 : 1;
      const x = input(n);
      const sec = await measureFresh(o, async () => {
        const session = await ort.InferenceSession.create(o.model, {
          intraOpNumThreads: t, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
        });
        const feeds = { [session.inputNames[0]]: x };
        return { session, call: () => session.run(feeds) };
      });
      const r = { bench: name, threads: t, batch: n, images_per_s: n / sec };
      if (n === 1) r.us = sec * 1e6;
      console.log(JSON.stringify(r));
    }
  }
}

main().catch((e) => { console.error(`ort_peer: ${e.message}`); process.exit(1); });

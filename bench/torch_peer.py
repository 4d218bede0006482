#!/usr/bin/python3
"""PyTorch peer of `convnet bench`: the same benchmarks, the same JSON lines.

    /usr/bin/python3 bench/torch_peer.py [NAME...] [--threads 1,2] [--time 1.0] [--repeats 5]

Runs Debian's python3-torch (1.13). Its dense layers call the system BLAS:
install libopenblas0-pthread, or they fall back to the slow reference BLAS.
The first line is {"bench": "env", ...}: torch's version, the BLAS library
and the OpenBLAS kernel (from threadpoolctl, when installed), so a run says
what it measured. OPENBLAS_CORETYPE pins OpenBLAS's kernel; bench/sidebyside
unsets it (and OPENBLAS_L2_SIZE) for this script alone.

Timing follows internal/bench: a warm-up of a quarter of --time (at least two
calls), then --repeats repeats of --time/--repeats each, and the median; the
models and conv layers get a fresh instance per repeat (measure_fresh).

glibc's malloc hands PyTorch's large tensors (above 128 KiB at first) back
to the kernel when they are freed, and every step then faults their pages in
afresh; on this project's machines a page fault is slow enough that
PyTorch's convolutions swing between 5 and 45 ms from call to call. So the
script re-runs itself with MALLOC_MMAP_THRESHOLD_ at glibc's maximum (32 MiB)
and MALLOC_TRIM_THRESHOLD_ out of reach, which keeps freed memory in the
process, as jemalloc or tcmalloc would (Intel's advice for PyTorch on CPUs).
--default-malloc measures without that.
"""

import argparse
import json
import os
import sys
import time

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 40)}
if "--default-malloc" not in sys.argv and any(os.environ.get(k) != v for k, v in MALLOC_ENV.items()):
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **MALLOC_ENV})

import torch
import torch.nn as tnn
import torch.nn.functional as F

CONV_SHAPES = [
    (64, 1, 28, 28, 6, 5, 0),
    (64, 6, 12, 12, 16, 5, 0),
    (32, 3, 32, 32, 32, 3, 1),
    (32, 32, 32, 32, 32, 3, 1),
    (32, 64, 16, 16, 64, 3, 1),
    (16, 128, 8, 8, 128, 3, 1),
    (1, 64, 56, 56, 64, 3, 1),
    (8, 256, 14, 14, 256, 3, 1),
]
ACT_KINDS = ["relu", "leakyrelu", "sigmoid", "tanh"]
ACT_SIZES = [64 << 10, 16 << 20]
BATCH = 64


def warm_up(f, warm, repeat):
    """Calls f for warm seconds (at least twice); returns the calls that fill a repeat."""
    calls = 0
    t0 = time.perf_counter()
    while calls < 2 or time.perf_counter() - t0 < warm:
        f()
        calls += 1
    per = (time.perf_counter() - t0) / calls
    return max(1, int(repeat / per))


def time_calls(f, k):
    t = time.perf_counter()
    for _ in range(k):
        f()
    return (time.perf_counter() - t) / k


def measure(opts, f):
    """Median seconds of one call of f, timed as internal/bench's measure."""
    k = warm_up(f, opts.time / 4, opts.time / opts.repeats)
    times = sorted(time_calls(f, k) for _ in range(opts.repeats))
    return times[len(times) // 2]


def measure_fresh(opts, build):
    """measure over a fresh instance per repeat, as internal/bench's
    measureFresh: build() returns the call to time; every instance is kept
    until the last is timed."""
    calls, times = [], []
    for _ in range(opts.repeats):
        f = build()
        calls.append(f)
        k = warm_up(f, opts.time / (4 * opts.repeats), opts.time / opts.repeats)
        times.append(time_calls(f, k))
    times.sort()
    return times[len(times) // 2]


def measure_best(opts, f):
    """Like measure, keeping the fastest repeat (the peak figures, as STREAM does)."""
    saved = opts.repeats
    best = float("inf")
    for _ in range(saved):
        opts.repeats = 1
        best = min(best, measure(opts, f))
    opts.repeats = saved
    return best


def rand(*shape):
    return torch.rand(*shape) * 2 - 1


def bench_peak(opts, t):
    """No FMA loop from Python: the peer's scale figures are a 1024³ sgemm
    (OpenBLAS through torch.mm) and the triad a = b + s·c through torch.add."""
    n = 1024
    a, b, c = rand(n, n), rand(n, n), torch.empty(n, n)
    sec = measure(opts, lambda: torch.mm(a, b, out=c))
    m = 16 << 20
    x, y, z = torch.empty(m), rand(m), rand(m)
    tr = measure_best(opts, lambda: torch.add(y, z, alpha=1.5, out=x))
    return [{"bench": "peak", "threads": t, "isa": "torch", "gbps": 12 * m / tr / 1e9, "sgemm_gflops": 2 * n**3 / sec / 1e9}]


def bench_conv(opts, t):
    res = []
    for (n, c, h, w, f, k, pad) in CONV_SHAPES:
        oh, ow = h + 2 * pad - k + 1, w + 2 * pad - k + 1
        flop = 2 * n * f * oh * ow * c * k * k

        def fwd_case():
            x, conv = torch.rand(n, c, h, w), tnn.Conv2d(c, f, k, padding=pad)
            return lambda: conv(x)

        def fb_case():
            xg, conv = torch.rand(n, c, h, w).requires_grad_(True), tnn.Conv2d(c, f, k, padding=pad)
            dy = rand(n, f, oh, ow)
            params = [xg, conv.weight, conv.bias]

            def fb():
                y = conv(xg)
                torch.autograd.grad(y, params, dy)
            return fb

        with torch.no_grad():
            fwd = measure_fresh(opts, fwd_case)
        sec = measure_fresh(opts, fb_case)
        res.append({"bench": "conv", "threads": t, "shape": ",".join(map(str, (n, c, h, w, f, k, pad))),
                    "fwd_gflops": flop / fwd / 1e9, "fwdbwd_gflops": 3 * flop / sec / 1e9})
    return res


def act_funcs(kind, x, y, dy, dx):
    """Forward and backward of kind writing into preallocated y and dx, as
    convnet's layers do: the aten kernels autograd calls, through their out= forms."""
    aten = torch.ops.aten
    if kind == "relu":
        return (lambda: torch.clamp_min(x, 0, out=y),
                lambda: aten.threshold_backward.grad_input(dy, x, 0, grad_input=dx))
    if kind == "leakyrelu":
        return (lambda: aten.leaky_relu.out(x, 0.01, out=y),
                lambda: aten.leaky_relu_backward.grad_input(dy, x, 0.01, False, grad_input=dx))
    if kind == "sigmoid":
        return (lambda: torch.sigmoid(x, out=y),
                lambda: aten.sigmoid_backward.grad_input(dy, y, grad_input=dx))
    if kind == "tanh":
        return (lambda: torch.tanh(x, out=y),
                lambda: aten.tanh_backward.grad_input(dy, y, grad_input=dx))
    raise ValueError(kind)


def bench_act(opts, t):
    res = []
    for n in ACT_SIZES:
        x, dy, y, dx = rand(n), rand(n), torch.empty(n), torch.empty(n)
        for kind in ACT_KINDS:
            fwd, bwd = act_funcs(kind, x, y, dy, dx)
            fwd()
            for d, f in (("forward", fwd), ("backward", bwd)):
                sec = measure(opts, f)
                res.append({"bench": "act", "threads": t, "act": kind, "dir": d, "n": n, "ns_per_elem": sec * 1e9 / n})
    return res


def lenet():
    return tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
        tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))


def cifarnet():
    return tnn.Sequential(
        tnn.Conv2d(3, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(32, 64, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
        tnn.Conv2d(64, 128, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
        tnn.Linear(128 * 4 * 4, 10))


def train_speed(opts, model, shape):
    x = torch.rand(BATCH, *shape)
    y = torch.arange(BATCH) % 10

    def build():
        torch.manual_seed(1)
        m = model()
        m.train()
        opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)

        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(m(x), y).backward()
            opt.step()
        return step

    return BATCH / measure_fresh(opts, build)


def infer_seconds(opts, model, shape, n):
    x = torch.rand(n, *shape)

    def build():
        torch.manual_seed(1)
        m = model()
        m.eval()

        return lambda: m(x)

    with torch.inference_mode():
        return measure_fresh(opts, build)


def bench_lenet_train(opts, t):
    return [{"bench": "lenet-train", "threads": t, "batch": BATCH, "images_per_s": train_speed(opts, lenet, (1, 28, 28))}]


def bench_lenet_infer(opts, t):
    return [{"bench": "lenet-infer", "threads": t, "batch": BATCH, "images_per_s": BATCH / infer_seconds(opts, lenet, (1, 28, 28), BATCH)}]


def bench_lenet_latency(opts, t):
    sec = infer_seconds(opts, lenet, (1, 28, 28), 1)
    return [{"bench": "lenet-latency", "threads": t, "batch": 1, "us": sec * 1e6, "images_per_s": 1 / sec}]


def bench_cifarnet_train(opts, t):
    return [{"bench": "cifarnet-train", "threads": t, "batch": BATCH, "images_per_s": train_speed(opts, cifarnet, (3, 32, 32))}]


def bench_cifarnet_infer(opts, t):
    return [{"bench": "cifarnet-infer", "threads": t, "batch": BATCH, "images_per_s": BATCH / infer_seconds(opts, cifarnet, (3, 32, 32), BATCH)}]


BENCHES = {
    "peak": bench_peak,
    "conv": bench_conv,
    "act": bench_act,
    "lenet-train": bench_lenet_train,
    "lenet-infer": bench_lenet_infer,
    "lenet-latency": bench_lenet_latency,
    "cifarnet-train": bench_cifarnet_train,
    "cifarnet-infer": bench_cifarnet_infer,
}


def env_line():
    """What this run measures: torch, its BLAS and that BLAS's kernel."""
    info = {"bench": "env", "peer": "torch", "torch": torch.__version__,
            "malloc": {k: os.environ.get(k) for k in MALLOC_ENV},
            "mkldnn": torch.backends.mkldnn.is_available(), "cpu_capability": torch.backends.cpu.get_cpu_capability()
            if hasattr(torch.backends, "cpu") else None}
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # load the BLAS
    try:
        import threadpoolctl
        for lib in threadpoolctl.threadpool_info():
            if lib.get("user_api") == "blas":
                info["blas"] = lib.get("internal_api")
                info["blas_version"] = lib.get("version")
                info["blas_kernel"] = lib.get("architecture")
                info["blas_path"] = lib.get("filepath")
    except ImportError:
        info["blas"] = "unknown (install python3-threadpoolctl)"
    # A wrong kernel computes wrong sums: check one product against float64.
    a, b = torch.rand(300, 200), torch.rand(200, 100)
    err = (torch.mm(a, b).double() - torch.mm(a.double(), b.double())).abs().max().item()
    info["blas_check_max_err"] = err
    if err > 1e-3:
        print(f"torch_peer: the BLAS computes wrong products (max error {err}); set OPENBLAS_CORETYPE", file=sys.stderr)
        sys.exit(1)
    return info


def set_threads(t):
    """Sets PyTorch's threads (OpenMP: oneDNN and aten) and OpenBLAS's: this
    torch build leaves OpenBLAS's own pool at its default, all cores, so
    without threadpoolctl a 1-thread run would still multiply on two."""
    torch.set_num_threads(t)
    try:
        import threadpoolctl
    except ImportError:
        sys.exit("torch_peer: install python3-threadpoolctl, which sets OpenBLAS's thread count")
    threadpoolctl.threadpool_limits(limits=t, user_api="blas")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", help="benchmarks to run (default: all): " + ", ".join(BENCHES))
    p.add_argument("--threads", default="2", help="thread counts, e.g. 1 or 1,2")
    p.add_argument("--time", type=float, default=1.0, help="seconds timing each figure")
    p.add_argument("--repeats", type=int, default=5, help="timed repeats per figure; the median is reported")
    p.add_argument("--default-malloc", action="store_true", help="keep glibc's malloc settings (see above)")
    opts = p.parse_args()
    names = opts.names or list(BENCHES)
    for n in names:
        if n not in BENCHES:
            p.error(f"unknown benchmark {n!r}")
    torch.set_num_interop_threads(1)
    print(json.dumps(env_line()), flush=True)
    for name in names:
        for t in [int(s) for s in opts.threads.split(",")]:
            set_threads(t)
            for r in BENCHES[name](opts, t):
                print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()

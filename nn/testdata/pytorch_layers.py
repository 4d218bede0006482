#!/usr/bin/python3
"""Write PyTorch reference tensors for nn/reference_test.go.

For each case it builds a small fixed input (seeded), runs the layer forward,
then backward with a fixed random upstream gradient dy, and records the input,
the weights, the output, the input gradient and the weight gradients (and
batch-norm running statistics before and after the step).

Rerun (Debian's python3-torch, torch 1.13), from the repository root:

    /usr/bin/python3 nn/testdata/pytorch_layers.py

It rewrites nn/testdata/layers_*.json. CI only reads those files; rerun the
script when you add a case, and commit both.

File format: {"torch": version, "cases": [case...]}, each case
{"name", "op", "args": {...}, "train": bool, "tensors": {name: {"shape", "data"}}}
with data a flat row-major list of float32 values printed to round-trip.
Tensor names: x (input), y (output), dy (upstream gradient), dx (input
gradient), and per parameter its PyTorch name and grad_<name>.
"""

import json
import os

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    t = t.detach().contiguous().to(torch.float32)
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def run(name, op, args, x, fn, params=(), train=True, extra=None):
    """Runs fn(x) with x and params requiring grad, backward with a seeded
    random dy, and returns the case."""
    x = x.clone().requires_grad_(True)
    for _, p in params:
        p.requires_grad_(True)
    tensors = {"x": flat(x)}
    for pname, p in params:
        tensors[pname] = flat(p)
    if extra:
        for k, v in extra.items():
            tensors[k] = flat(v)
    y = fn(x)
    g = torch.Generator().manual_seed(1234)
    dy = torch.randn(y.shape, generator=g)
    y.backward(dy)
    tensors.update({"y": flat(y), "dy": flat(dy), "dx": flat(x.grad)})
    for pname, p in params:
        tensors["grad_" + pname] = flat(p.grad)
    return {"name": name, "op": op, "args": args, "train": train, "tensors": tensors}


def randn(*shape, seed):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def conv_cases():
    cases = []
    specs = [
        # name, C, H, W, F, (KH, KW), (SH, SW), (T, L, B, R), (DH, DW), groups, bias
        ("plain 3x3", 3, 6, 5, 4, (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1, True),
        ("stride 2 pad 1", 2, 7, 7, 3, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1, True),
        ("dilation 2 pad 2", 2, 8, 9, 3, (3, 3), (1, 1), (2, 2, 2, 2), (2, 2), 1, True),
        ("groups 2", 4, 5, 5, 6, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2, True),
        ("depthwise", 3, 6, 6, 3, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 3, False),
        ("asymmetric pad (ONNX pads)", 2, 5, 6, 2, (2, 3), (3, 1), (2, 0, 1, 1), (1, 1), 1, True),
        ("5x2 stride 2x3 no bias", 1, 9, 7, 3, (5, 2), (2, 3), (1, 1, 2, 2), (1, 1), 1, False),
        ("1x1", 4, 3, 3, 5, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1, True),
    ]
    for i, (name, c, h, w, f, k, s, pad, d, groups, bias) in enumerate(specs):
        x = randn(2, c, h, w, seed=100 + i)
        weight = randn(f, c // groups, k[0], k[1], seed=200 + i) * 0.5
        params = [("weight", weight)]
        b = None
        if bias:
            b = randn(f, seed=300 + i) * 0.5
            params.append(("bias", b))
        t, l, bo, r = pad

        def fn(x, weight=weight, b=b, t=t, l=l, bo=bo, r=r, s=s, d=d, groups=groups):
            # F.pad takes (left, right, top, bottom); this is how ONNX's
            # asymmetric pads are expressed in PyTorch.
            return F.conv2d(F.pad(x, (l, r, t, bo)), weight, b, stride=s, dilation=d, groups=groups)

        args = {"filters": f, "k": list(k), "stride": list(s), "pad": list(pad), "dilation": list(d), "groups": groups, "bias": bias}
        cases.append(run(name, "conv", args, x, fn, params))
    return cases


def pool_cases():
    cases = []
    maxpools = [
        # name, (C, H, W), k, stride, pad (h, w), dilation, ceil
        ("max 2", (3, 6, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),
        ("max 2 odd input", (2, 5, 7), (2, 2), (2, 2), (0, 0), (1, 1), False),
        ("max 3 stride 2 pad 1", (2, 7, 7), (3, 3), (2, 2), (1, 1), (1, 1), False),
        ("max 3 stride 2 ceil", (2, 6, 6), (3, 3), (2, 2), (0, 0), (1, 1), True),
        ("max 2 pad 1 ceil drops last window", (2, 5, 5), (2, 2), (2, 2), (1, 1), (1, 1), True),
        ("max dilation 2", (2, 7, 6), (2, 2), (1, 1), (1, 0), (2, 2), False),
        ("max 2x3 stride 1x2 ceil", (2, 5, 8), (2, 3), (1, 2), (1, 1), (1, 1), True),
        ("max 3 dilation 2x1 stride 2x3 pad 1 ceil", (2, 9, 8), (3, 3), (2, 3), (1, 1), (2, 1), True),
    ]
    for i, (name, chw, k, s, p, d, ceil) in enumerate(maxpools):
        x = randn(2, *chw, seed=400 + i)
        args = {"k": list(k), "stride": list(s), "pad": [p[0], p[1], p[0], p[1]], "dilation": list(d), "ceil": ceil}

        def fn(x, k=k, s=s, p=p, d=d, ceil=ceil):
            return F.max_pool2d(x, k, s, p, d, ceil_mode=ceil)

        cases.append(run(name, "maxpool", args, x, fn))
    avgpools = [
        # name, (C, H, W), k, stride, pad (h, w), ceil, count_include_pad
        ("avg 2", (3, 6, 6), (2, 2), (2, 2), (0, 0), False, True),
        ("avg 3 stride 1 pad 1 include pad", (2, 5, 5), (3, 3), (1, 1), (1, 1), False, True),
        ("avg 3 stride 1 pad 1 exclude pad", (2, 5, 5), (3, 3), (1, 1), (1, 1), False, False),
        ("avg 3 stride 2 pad 1 ceil include pad", (2, 6, 7), (3, 3), (2, 2), (1, 1), True, True),
        ("avg 3 stride 2 pad 1 ceil exclude pad", (2, 6, 7), (3, 3), (2, 2), (1, 1), True, False),
        ("avg 3 stride 2 ceil overhang", (2, 8, 8), (3, 3), (2, 2), (0, 0), True, True),
        ("avg 2x3 stride 1x2 pad 1x1", (1, 5, 8), (2, 3), (1, 2), (1, 1), False, True),
    ]
    for i, (name, chw, k, s, p, ceil, inc) in enumerate(avgpools):
        x = randn(2, *chw, seed=500 + i)
        args = {"k": list(k), "stride": list(s), "pad": [p[0], p[1], p[0], p[1]], "ceil": ceil, "count_include_pad": inc}

        def fn(x, k=k, s=s, p=p, ceil=ceil, inc=inc):
            return F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=inc)

        cases.append(run(name, "avgpool", args, x, fn))
    x = randn(2, 3, 5, 4, seed=600)
    cases.append(run("global avg", "globalavgpool", {}, x, lambda x: F.adaptive_avg_pool2d(x, 1)))
    cases.append(run("global max", "globalmaxpool", {}, x, lambda x: F.adaptive_max_pool2d(x, 1)))
    return cases


def batchnorm_cases():
    cases = []
    for i, (name, shape, train) in enumerate([
        ("batchnorm2d train", (4, 3, 5, 4), True),
        ("batchnorm2d eval", (4, 3, 5, 4), False),
        ("batchnorm1d train", (8, 5), True),
        ("batchnorm1d eval", (8, 5), False),
    ]):
        c = shape[1]
        x = randn(*shape, seed=700 + i) * 2 + 0.5
        weight = 1 + 0.3 * randn(c, seed=710 + i)
        bias = 0.3 * randn(c, seed=720 + i)
        running_mean = 0.2 * randn(c, seed=730 + i)
        running_var = 0.5 + torch.rand(c, generator=torch.Generator().manual_seed(740 + i))
        rm, rv = running_mean.clone(), running_var.clone()

        def fn(x, weight=weight, bias=bias, rm=rm, rv=rv, train=train):
            return F.batch_norm(x, rm, rv, weight, bias, training=train, momentum=0.1, eps=1e-5)

        case = run(name, "batchnorm", {"momentum": 0.1, "eps": 1e-5}, x, fn,
                   [("weight", weight), ("bias", bias)], train=train,
                   extra={"running_mean": running_mean, "running_var": running_var})
        case["tensors"]["running_mean_after"] = flat(rm)
        case["tensors"]["running_var_after"] = flat(rv)
        cases.append(case)
    return cases


def activation_cases():
    cases = []
    acts = [
        ("relu", None, F.relu),
        ("leakyrelu", 0.01, lambda x: F.leaky_relu(x, 0.01)),
        ("leakyrelu", 0.2, lambda x: F.leaky_relu(x, 0.2)),
        ("elu", 1.0, lambda x: F.elu(x, 1.0)),
        ("elu", 0.5, lambda x: F.elu(x, 0.5)),
        ("selu", None, F.selu),
        ("gelu", None, F.gelu),
        ("silu", None, F.silu),
        ("sigmoid", None, torch.sigmoid),
        ("tanh", None, torch.tanh),
        ("softmax", None, lambda x: F.softmax(x, dim=-1)),
    ]
    for i, (kind, alpha, fn) in enumerate(acts):
        for j, shape in enumerate([(3, 7), (2, 3, 4, 5)]):
            x = randn(*shape, seed=800 + 10 * i + j) * 2
            args = {"kind": kind}
            if alpha is not None:
                args["alpha"] = alpha
            cases.append(run("%s %s %s" % (kind, alpha, shape), "activation", args, x, fn))
    for j, (shape, n) in enumerate([((2, 3, 4, 5), 3), ((2, 3, 4, 5), 1), ((4, 6), 6)]):
        x = randn(*shape, seed=900 + j)
        weight = 0.25 + 0.2 * randn(n, seed=910 + j)
        cases.append(run("prelu %s slopes %d" % (shape, n), "prelu", {"shared": n == 1}, x,
                         lambda x, weight=weight: F.prelu(x, weight), [("weight", weight)]))
    return cases


def dense_cases():
    cases = []
    for i, (n, fin, fout, bias) in enumerate([(3, 5, 4, True), (2, 7, 3, False), (4, 20, 10, True)]):
        x = randn(n, fin, seed=1000 + i)
        weight = randn(fout, fin, seed=1010 + i) * 0.4
        params = [("weight", weight)]
        b = None
        if bias:
            b = randn(fout, seed=1020 + i) * 0.4
            params.append(("bias", b))
        cases.append(run("dense %dx%d bias=%s" % (fin, fout, bias), "dense", {"out": fout, "bias": bias}, x,
                         lambda x, weight=weight, b=b: F.linear(x, weight, b), params))
    return cases


def main():
    files = {
        "conv": conv_cases(),
        "pool": pool_cases(),
        "batchnorm": batchnorm_cases(),
        "activation": activation_cases(),
        "dense": dense_cases(),
    }
    for name, cases in files.items():
        path = os.path.join(HERE, "layers_%s.json" % name)
        with open(path, "w") as f:
            json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
            f.write("\n")
        print("wrote %s: %d cases, %d bytes" % (path, len(cases), os.path.getsize(path)))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes reference.json: five steps of torch.optim.SGD, Adam and AdamW.

Run with Debian's PyTorch 1.13 (python3-torch) from the optim directory:

    /usr/bin/python3 testdata/gen_reference.py

Parameters and gradients come from fixed formulas, not a random source, so
the file can be regenerated bit for bit. The gradients span three orders of
magnitude and include an element that is always zero, which exercises Adam's
eps. The learning rate changes every step, as a schedule would change it.

Each case names the optimizer as optim.New spells it and lists the settings
for optim.Config; "after" holds every parameter after each step. Cases with
decay_all false put the parameters marked no_decay in a PyTorch parameter
group with weight_decay 0, which is what optim does by default.
"""

import json
import math
import re

import torch

STEPS = 5

# name, shape, no_decay
PARAMS = [("conv.weight", (2, 3), False), ("conv.bias", (3,), True)]


def param_value(k, n):
    return [0.5 * math.cos(0.37 * i + 0.1 + k) for i in range(n)]


def grad_value(k, n, t):
    # t counts steps from 1; element 4 of the first parameter is always 0.
    g = [10.0 ** (i % 3 - 2) * math.sin(0.9 * i + 1.7 * t + k) + 0.02 * t for i in range(n)]
    if k == 0:
        g[4] = 0.0
    return g


SGD_LR = [0.1, 0.09, 0.08, 0.07, 0.06]
ADAM_LR = [0.01, 0.009, 0.008, 0.007, 0.006]

# name, optimizer (optim.New name), settings
CASES = [
    ("sgd", "sgd", dict(lr=SGD_LR)),
    ("sgd_wd", "sgd", dict(lr=SGD_LR, weight_decay=0.05, decay_all=True)),
    ("momentum", "sgd", dict(lr=SGD_LR, momentum=0.9)),
    ("momentum_wd", "sgd", dict(lr=SGD_LR, momentum=0.9, weight_decay=0.05, decay_all=True)),
    ("momentum_wd_nodecay", "sgd", dict(lr=SGD_LR, momentum=0.9, weight_decay=0.05)),
    ("nesterov", "nesterov", dict(lr=SGD_LR, momentum=0.9)),
    ("nesterov_wd", "nesterov", dict(lr=SGD_LR, momentum=0.9, weight_decay=0.05, decay_all=True)),
    ("adam", "adam", dict(lr=ADAM_LR)),
    ("adam_wd", "adam", dict(lr=ADAM_LR, weight_decay=0.05, decay_all=True)),
    ("adam_betas", "adam", dict(lr=ADAM_LR, beta1=0.5, beta2=0.99, eps=1e-6)),
    ("adamw", "adamw", dict(lr=ADAM_LR, weight_decay=0.1, decay_all=True)),
    ("adamw_nodecay", "adamw", dict(lr=ADAM_LR, weight_decay=0.1)),
]


def as_list(t):
    # float() of a float32 element is exact, and json writes the shortest
    # decimal that reads back as that double, so Go recovers the float32.
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def tensors(values, shape):
    return torch.tensor(values, dtype=torch.float32).reshape(shape)


def run(optimizer, s):
    params = [torch.nn.Parameter(tensors(param_value(k, math.prod(shape)), shape))
              for k, (_, shape, _) in enumerate(PARAMS)]
    wd = s.get("weight_decay", 0.0)
    if s.get("decay_all", False):
        groups = [dict(params=params, weight_decay=wd)]
    else:
        groups = [dict(params=[p for p, spec in zip(params, PARAMS) if not spec[2]], weight_decay=wd),
                  dict(params=[p for p, spec in zip(params, PARAMS) if spec[2]], weight_decay=0.0)]
    lr0 = s["lr"][0]
    if optimizer in ("sgd", "nesterov"):
        opt = torch.optim.SGD(groups, lr=lr0, momentum=s.get("momentum", 0.0),
                              nesterov=optimizer == "nesterov")
    else:
        cls = torch.optim.Adam if optimizer == "adam" else torch.optim.AdamW
        opt = cls(groups, lr=lr0, betas=(s.get("beta1", 0.9), s.get("beta2", 0.999)),
                  eps=s.get("eps", 1e-8))
    after = []
    for t in range(1, STEPS + 1):
        for g in opt.param_groups:
            g["lr"] = s["lr"][t - 1]
        for k, p in enumerate(params):
            p.grad = tensors(grad_value(k, p.numel(), t), p.shape)
        opt.step()
        after.append([as_list(p) for p in params])
    return after


def main():
    torch.set_num_threads(1)
    out = {
        "generator": "testdata/gen_reference.py",
        "torch": torch.__version__,
        "params": [dict(name=name, shape=list(shape), no_decay=no_decay,
                        value=as_list(tensors(param_value(k, math.prod(shape)), shape)))
                   for k, (name, shape, no_decay) in enumerate(PARAMS)],
        "grads": [[as_list(tensors(grad_value(k, math.prod(shape), t), shape))
                   for k, (_, shape, _) in enumerate(PARAMS)]
                  for t in range(1, STEPS + 1)],
        "cases": [],
    }
    for name, optimizer, s in CASES:
        case = dict(name=name, optimizer=optimizer)
        case.update({k: v for k, v in s.items()})
        case["after"] = run(optimizer, s)
        out["cases"].append(case)
    text = json.dumps(out, indent=1)
    # One line per list of numbers keeps the file short and diffs readable.
    text = re.sub(r"\[[^\[\]{}\"]*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    with open("testdata/reference.json", "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()

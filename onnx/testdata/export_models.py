#!/usr/bin/python3
"""Writes the PyTorch-exported reference models that onnx/pytorch_test.go runs.

Each model goes to pytorch/NAME/ in the layout of the ONNX test data:
model.onnx (torch.onnx.export, opset 13, batch axis dynamic) and
test_data_set_0/input_0.pb, output_0.pb (PyTorch's output in eval mode), so
`convnet conformance onnx/testdata/pytorch` runs them too.

Run with Debian's PyTorch 1.13 and python3-onnx:

    /usr/bin/python3 onnx/testdata/export_models.py

The files are committed; tests and CI only read them.
"""
import os

import onnx
import onnx.numpy_helper
import torch
from torch import nn

torch.manual_seed(0)
HERE = os.path.dirname(os.path.abspath(__file__))


def randomize_bn(model):
    """Give batch norms non-trivial statistics and affine parameters."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class ResBlock(nn.Module):
    """A stem and one basic residual block (He et al. 2016) with batch norm."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.body = nn.Sequential(
            nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.relu = nn.ReLU()
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

    def forward(self, x):
        x = self.stem(x)
        return self.head(self.relu(x + self.body(x)))


def dw_separable(cin, cout, stride):
    return [nn.Conv2d(cin, cin, 3, stride=stride, padding=1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(),
            nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6()]


class DepthwiseSeparable(nn.Module):
    """A MobileNet-style stack: depthwise 3x3 then pointwise 1x1, ReLU6."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU6(),
            *dw_separable(8, 16, 1), *dw_separable(16, 32, 2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(32, 10))

    def forward(self, x):
        return self.net(x)


class TwoBranch(nn.Module):
    """An Inception-style block: a 1x1 and a 3x3 branch joined on channels."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.b1 = nn.Sequential(nn.Conv2d(8, 4, 1), nn.ReLU())
        self.b2 = nn.Sequential(nn.Conv2d(8, 6, 3, padding=1), nn.LeakyReLU(0.1))
        self.head = nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(10 * 4 * 4, 10), nn.LogSoftmax(dim=1))

    def forward(self, x):
        x = self.stem(x)
        return self.head(torch.cat([self.b1(x), self.b2(x)], dim=1))


class NormalizedLeNet(LeNet):
    """LeNet with the input normalisation inside: Sub and Div by constants."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor([0.1307]).view(1, 1, 1, 1))
        self.register_buffer("std", torch.tensor([0.3081]).view(1, 1, 1))

    def forward(self, x):
        return super().forward((x - self.mean) / self.std * 2.0 + 0.5)


class ViewLeNet(LeNet):
    """LeNet flattening with x.view(x.size(0), -1), which exports as Shape,
    Gather, Unsqueeze, Concat and Reshape."""

    def forward(self, x):
        x = self.features(x)
        return self.classifier[1:](x.view(x.size(0), -1))


MODELS = {
    "lenet": (LeNet, (2, 1, 28, 28)),
    "resblock_bn": (ResBlock, (2, 3, 16, 16)),
    "depthwise_separable": (DepthwiseSeparable, (2, 3, 16, 16)),
    "two_branch_concat": (TwoBranch, (2, 3, 16, 16)),
    "normalized_lenet": (NormalizedLeNet, (2, 1, 28, 28)),
    "view_lenet": (ViewLeNet, (2, 1, 28, 28)),
}


def main():
    for name, (cls, shape) in MODELS.items():
        model = cls()
        randomize_bn(model)
        model.eval()
        x = torch.rand(shape)
        with torch.no_grad():
            y = model(x)
        d = os.path.join(HERE, "pytorch", name)
        os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
        path = os.path.join(d, "model.onnx")
        # PRESERVE keeps BatchNormalization nodes rather than folding them
        # into the convolutions, so the import of batch norm is exercised.
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
        onnx.checker.check_model(onnx.load(path), full_check=True)
        for kind, t in (("input", x), ("output", y)):
            tp = onnx.numpy_helper.from_array(t.numpy(), kind)
            with open(os.path.join(d, "test_data_set_0", kind + "_0.pb"), "wb") as f:
                f.write(tp.SerializeToString())
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(name, tuple(y.shape), ops)


if __name__ == "__main__":
    main()

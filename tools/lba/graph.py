"""The trace graph: built from a trained model (batch norm folded) and evaluated in PyTorch.

An op is a dict as it appears in manifest.json (docs/traces.md); weights live in a separate
dict {file name: float32 array}. run() evaluates the graph through the one evaluator
(evaluator.py) in float32, which gives the reference logits and the captured layer activations
of a trace.
"""
import numpy as np
import torch

from . import evaluator
from .evaluator import GEMM_OPS  # noqa: F401 (re-exported: the GEMM op kinds)


def fold_bn(conv, bn):
    """Weight and bias of conv followed by bn (eval mode): w' = w*g/sqrt(v+eps), b' = beta - m*g/sqrt(v+eps) (+ b*g/...)."""
    w = conv.weight.detach().double()
    gamma = bn.weight.detach().double()
    beta = bn.bias.detach().double()
    mean = bn.running_mean.detach().double()
    var = bn.running_var.detach().double()
    k = gamma / torch.sqrt(var + bn.eps)
    b0 = conv.bias.detach().double() if conv.bias is not None else torch.zeros_like(mean)
    w = w * k[:, None, None, None]
    b = beta + (b0 - mean) * k
    return w.float().numpy(), b.float().numpy()


class Builder:
    """Collects ops and weights; tracks per-sample shapes so every op states its output shape."""

    def __init__(self, input_shape):
        self.ops = []
        self.weights = {}
        self.shapes = {"input": list(input_shape)}

    def _emit(self, op, out_shape):
        op["shape"] = list(out_shape)
        self.ops.append(op)
        self.shapes[op["output"]] = list(out_shape)
        return op["output"]

    def conv2d(self, name, x, w, b, stride=1, padding=0, dilation=1, groups=1):
        c, h, wd = self.shapes[x]
        co, ci_g, kh, kw = w.shape
        assert ci_g * groups == c, (name, w.shape, c, groups)
        oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
        ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
        wf, bf = f"weights/{name}.weight.npy", f"weights/{name}.bias.npy"
        self.weights[wf], self.weights[bf] = w.astype(np.float32), b.astype(np.float32)
        return self._emit({"op": "conv2d", "name": name, "inputs": [x], "output": name,
                           "in_channels": c, "out_channels": co, "kernel": [kh, kw],
                           "stride": [stride, stride], "padding": [padding, padding],
                           "dilation": [dilation, dilation], "groups": groups,
                           "weight": wf, "bias": bf}, [co, oh, ow])

    def linear(self, name, x, w, b):
        (k,) = self.shapes[x]
        n = w.shape[0]
        assert w.shape[1] == k, (name, w.shape, k)
        wf, bf = f"weights/{name}.weight.npy", f"weights/{name}.bias.npy"
        self.weights[wf], self.weights[bf] = w.astype(np.float32), b.astype(np.float32)
        return self._emit({"op": "linear", "name": name, "inputs": [x], "output": name,
                           "in_features": k, "out_features": n, "weight": wf, "bias": bf}, [n])

    def relu(self, name, x):
        return self._emit({"op": "relu", "name": name, "inputs": [x], "output": name},
                          self.shapes[x])

    def pool(self, kind, name, x, kernel, stride, padding=0):
        c, h, w = self.shapes[x]
        oh = (h + 2 * padding - kernel) // stride + 1
        ow = (w + 2 * padding - kernel) // stride + 1
        return self._emit({"op": kind, "name": name, "inputs": [x], "output": name,
                           "kernel": [kernel, kernel], "stride": [stride, stride],
                           "padding": [padding, padding]}, [c, oh, ow])

    def add(self, name, a, b):
        assert self.shapes[a] == self.shapes[b], (name, self.shapes[a], self.shapes[b])
        return self._emit({"op": "add", "name": name, "inputs": [a, b], "output": name},
                          self.shapes[a])

    def flatten(self, name, x):
        return self._emit({"op": "flatten", "name": name, "inputs": [x], "output": name},
                          [int(np.prod(self.shapes[x]))])

    def global_avgpool(self, name, x):
        return self._emit({"op": "global_avgpool", "name": name, "inputs": [x], "output": name},
                          [self.shapes[x][0]])


def from_resnet(model):
    g = Builder([1, 28, 28])
    w, b = fold_bn(model.stem, model.stem_bn)
    x = g.relu("stem.relu", g.conv2d("stem", "input", w, b, 1, 1))
    x = g.pool("maxpool", "pool", x, 2, 2)
    for i, blk in enumerate(model.blocks):
        p = f"block{i}"
        w1, b1 = fold_bn(blk.conv1, blk.bn1)
        w2, b2 = fold_bn(blk.conv2, blk.bn2)
        stride = blk.conv1.stride[0]
        y = g.relu(f"{p}.relu1", g.conv2d(f"{p}.conv1", x, w1, b1, stride, 1))
        y = g.conv2d(f"{p}.conv2", y, w2, b2, 1, 1)
        s = x
        if blk.shortcut is not None:
            ws, bs = fold_bn(blk.shortcut[0], blk.shortcut[1])
            s = g.conv2d(f"{p}.shortcut", x, ws, bs, stride, 0)
        x = g.relu(f"{p}.relu2", g.add(f"{p}.add", y, s))
    x = g.global_avgpool("gap", x)
    fc = model.fc
    g.linear("fc", x, fc.weight.detach().numpy(), fc.bias.detach().numpy())
    return g


def from_mlp(model):
    g = Builder([1, 28, 28])
    x = g.flatten("flatten", "input")
    for i, fc in enumerate([model.fc1, model.fc2, model.fc3]):
        x = g.linear(f"fc{i + 1}", x, fc.weight.detach().numpy(), fc.bias.detach().numpy())
        if i < 2:
            x = g.relu(f"fc{i + 1}.relu", x)
    return g


def from_model(net_name, model):
    model.eval()
    return from_resnet(model) if net_name == "resnet" else from_mlp(model)


def run(ops, weights, x, capture=False, input_name="input", output=None):
    """Evaluates the graph on a float32 batch x (tools/lba/evaluator.py). Returns (tensor
    `output` (default: the last op's), {GEMM layer name: (input..., output)} if capture else
    {})."""
    output = output or ops[-1]["output"]
    env, cap = evaluator.run(ops, weights, x, input_name, capture, keep={output})
    return env[output], cap


def macs_per_image(ops, input_name="input", input_shape=()):
    return evaluator.macs_per_image(ops, input_name, input_shape)

"""Evaluates an imported trace graph (manifest version 2 ops, docs/traces.md) in PyTorch float32.

Used at import for the activation scales (calibration), the captured layer activations and the
reference outputs of the trace. Version-2 ops differ from tools/lba/graph.py's in asymmetric
`pads`, pool `dilation` and avgpool `count_include_pad`, so this is a separate evaluator.
"""
import torch
import torch.nn.functional as F

GEMM_OPS = ("conv2d", "linear")


def pads(op):
    """[top, left, bottom, right] of a window op."""
    if "pads" in op:
        return list(op["pads"])
    ph, pw = op["padding"]
    return [ph, pw, ph, pw]


def _pad(x, op, value):
    t, l, b, r = pads(op)
    return F.pad(x, (l, r, t, b), value=value) if any((t, l, b, r)) else x


def _avgpool(x, op):
    k, s = tuple(op["kernel"]), tuple(op["stride"])
    area = float(k[0] * k[1])
    total = F.avg_pool2d(_pad(x, op, 0.0), k, s) * area
    if op.get("count_include_pad", True):
        return total / area
    ones = _pad(torch.ones_like(x[:1, :1]), op, 0.0)
    return total / (F.avg_pool2d(ones, k, s) * area)


@torch.no_grad()
def run(ops, weights, input_name, x, capture=False):
    """(output, {gemm layer: (input, output)} if capture) of the graph on a float32 batch x."""
    env = {input_name: torch.as_tensor(x)}
    cap = {}
    for op in ops:
        kind = op["op"]
        ins = [env[t] for t in op["inputs"]]
        if kind == "conv2d":
            y = F.conv2d(_pad(ins[0], op, 0.0), torch.as_tensor(weights[op["weight"]]),
                         torch.as_tensor(weights[op["bias"]]), tuple(op["stride"]), 0,
                         tuple(op["dilation"]), op["groups"])
        elif kind == "linear":
            y = F.linear(ins[0], torch.as_tensor(weights[op["weight"]]),
                         torch.as_tensor(weights[op["bias"]]))
        elif kind == "relu":
            y = torch.relu(ins[0])
        elif kind == "maxpool":
            y = F.max_pool2d(_pad(ins[0], op, float("-inf")), tuple(op["kernel"]),
                             tuple(op["stride"]), 0, tuple(op.get("dilation", (1, 1))))
        elif kind == "avgpool":
            y = _avgpool(ins[0], op)
        elif kind == "add":
            y = ins[0] + ins[1]
        elif kind == "flatten":
            y = ins[0].reshape(ins[0].shape[0], -1)
        elif kind == "global_avgpool":
            y = ins[0].mean(dim=(2, 3))
        else:
            raise ValueError(f"unknown op {kind!r}")
        if capture and kind in GEMM_OPS:
            cap[op["name"]] = (ins[0].numpy().copy(), y.numpy().copy())
        env[op["output"]] = y
    return env, cap

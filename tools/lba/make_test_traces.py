#!/usr/bin/python3
"""Writes the small traces of tests/traces/data/: one op or a few under test (conv2d with
stride/padding/dilation/groups, pools, residual add), evaluated by PyTorch. Inputs and weights
are small integers, so every float32 result is exact and the C++ side must match bit for bit.

  PYTHONPATH=tools /usr/bin/python3 -m lba.make_test_traces --out tests/traces/data
"""
import argparse
import os

import numpy as np
import torch

from . import export, graph


def ints(rng, shape, lo=-3, hi=4):
    return rng.integers(lo, hi, size=shape).astype(np.float32)


def case_trace(out, name, build, input_shape, rng, count=3):
    g = graph.Builder(input_shape)
    build(g, rng)
    last = g.ops[-1]["output"]
    if len(g.shapes[last]) != 1:
        g.flatten("flatten", last)
    quant = {op["name"]: {"input": {"format": export.WA_FORMAT, "scale_exp": 0},
                          "weight": {"format": export.WA_FORMAT, "scale_exp": 0}}
             for op in g.ops if op["op"] in graph.GEMM_OPS}
    images = ints(rng, [count] + list(input_shape))
    meta = {"network": {"name": name, "description": "lowering test case (integer data)",
                        "dataset": "none"},
            "training": {"script": "python3 -m lba.make_test_traces"},
            "preprocessing": "none (random integers)"}
    # Labels only need to be valid class indices.
    labels = np.zeros(count, dtype=np.int64)
    export.write_trace(os.path.join(out, name), meta, g.ops, g.weights, quant, images, labels,
                       "random integers")


def conv(name, c_in, c_out, k, stride=1, padding=0, dilation=1, groups=1):
    def build(g, rng):
        kh, kw = (k, k) if isinstance(k, int) else k
        w = ints(rng, [c_out, c_in // groups, kh, kw])
        b = ints(rng, [c_out])
        g.conv2d(name, "input", w, b, stride, padding, dilation, groups)
    return build


def rect_conv(g, rng):
    # 2x3 kernel, different strides and paddings per axis (manifest lists are [h, w]).
    w = ints(rng, [3, 2, 2, 3])
    b = ints(rng, [3])
    g.conv2d("conv", "input", w, b, 1, 0)
    op = g.ops[-1]
    op["stride"], op["padding"] = [2, 1], [1, 0]
    c, h, wd = g.shapes["input"]
    oh = (h + 2 - 2) // 2 + 1
    ow = (wd - 3) // 1 + 1
    op["shape"] = [3, oh, ow]
    g.shapes["conv"] = op["shape"]


def residual(g, rng):
    c = g.shapes["input"][0]
    y = g.conv2d("conv1", "input", ints(rng, [c, c, 3, 3]), ints(rng, [c]), 1, 1)
    y = g.relu("relu1", y)
    y = g.conv2d("conv2", y, ints(rng, [c, c, 3, 3]), ints(rng, [c]), 1, 1)
    y = g.relu("relu2", g.add("add", y, "input"))
    # 6x6 -> avgpool (padded) 4x4 -> maxpool 2x2: every mean divides by a power of two, so
    # float32 stays exact.
    y = g.pool("avgpool", "avgpool", y, 2, 2, 1)
    y = g.pool("maxpool", "maxpool", y, 2, 2, 0)
    y = g.global_avgpool("gap", y)
    g.linear("fc", y, ints(rng, [4, c]), ints(rng, [4]))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    cases = {
        "conv_stride2": (conv("conv", 2, 3, 3, stride=2), [2, 7, 7]),
        "conv_pad2": (conv("conv", 2, 3, 3, padding=2), [2, 5, 5]),
        "conv_dilation2": (conv("conv", 2, 3, 3, padding=1, dilation=2), [2, 7, 7]),
        "conv_groups2": (conv("conv", 4, 6, 3, padding=1, groups=2), [4, 5, 5]),
        "conv_depthwise": (conv("conv", 3, 3, 3, stride=2, padding=1, groups=3), [3, 6, 6]),
        "conv_rect": (rect_conv, [2, 6, 7]),
        "residual_pools": (residual, [2, 6, 6]),
    }
    for name, (build, shape) in cases.items():
        case_trace(args.out, name, build, shape, rng)
        print(f"wrote {os.path.join(args.out, name)}")


if __name__ == "__main__":
    main()

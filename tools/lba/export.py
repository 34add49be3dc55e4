"""Writes an lbasim trace (format "lbasim-trace", version 1; fields in docs/traces.md)."""
import json
import math
import os
import shutil
import tempfile

import numpy as np
import torch

from . import fmnist, graph

TRACE_FORMAT = "lbasim-trace"
TRACE_VERSION = 1
# The paper's W/A format: FP8 with E=3, M=4, default bias 3, flush, saturate, truncation.
WA_FORMAT = "M4E3"
WA_BIAS = 3
# Largest M4E3 magnitude: 2^((2^3-1)-3) * (2 - 2^-4) = 31.
WA_MAX = 2.0 ** (7 - WA_BIAS) * (2.0 - 2.0 ** -4)
ACTIVATION_SAMPLES = 4
CALIBRATION_IMAGES = 2048


def scale_exp(amax, fmt_max=WA_MAX):
    """Smallest s with amax / 2^s <= fmt_max: the largest magnitude lands in the format's top
    binade, just at or below its max, so nothing saturates on the calibration data. The same
    rule as the C++ num::choose_pow2_scale, step for step: a guess from the binades (amax /
    fmt_max may underflow), then an exact correction with ldexp. tests/scale_rule checks the
    two agree one ulp around every boundary."""
    if not (amax > 0 and math.isfinite(amax)):
        return 0
    s = math.frexp(amax)[1] - math.frexp(fmt_max)[1]
    while math.ldexp(amax, -s) > fmt_max:
        s += 1
    while math.ldexp(amax, -(s - 1)) <= fmt_max:
        s -= 1
    return s


def calibrate(ops, weights, calib_images):
    """{gemm layer: {"input": scale, "weight": scale}} from max |x| over calibration images."""
    amax = {}
    for i in range(0, len(calib_images), 256):
        _, cap = graph.run(ops, weights, calib_images[i:i + 256], capture=True)
        for name, (inp, _) in cap.items():
            amax[name] = max(amax.get(name, 0.0), float(np.abs(inp).max()))
    quant = {}
    for op in ops:
        if op["op"] in graph.GEMM_OPS:
            wmax = float(np.abs(weights[op["weight"]]).max())
            quant[op["name"]] = {
                "input": {"format": WA_FORMAT, "scale_exp": scale_exp(amax[op["name"]]),
                          "calibration_max": amax[op["name"]]},
                "weight": {"format": WA_FORMAT, "scale_exp": scale_exp(wmax),
                           "max": wmax},
            }
    return quant


def save_npy(root, rel, arr):
    """Writes arr as root/rel (.npy, C order), making the folders."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(arr))


def save_activations(root, cap):
    """Writes each captured layer's input and output (float32) under root/activations; returns
    the manifest's activations.layers."""
    layers = {}
    for name, (inp, out) in cap.items():
        layers[name] = {"input": f"activations/{name}.input.npy",
                        "output": f"activations/{name}.output.npy"}
        save_npy(root, layers[name]["input"], inp.astype(np.float32))
        save_npy(root, layers[name]["output"], out.astype(np.float32))
    return layers


def write_trace(out_dir, meta, ops, weights, quant, images, labels, inputs_source):
    """Writes the trace into out_dir (replaced atomically: built in a sibling temp dir)."""
    ops = [dict(op) for op in ops]
    for op in ops:
        if op["op"] in graph.GEMM_OPS:
            op["quant"] = quant[op["name"]]
    logits, _ = graph.run(ops, weights, images)
    logits = logits.numpy().astype(np.float32)
    top1 = float((logits.argmax(1) == labels).mean())
    samples = list(range(min(ACTIVATION_SAMPLES, len(images))))
    _, cap = graph.run(ops, weights, images[samples], capture=True)

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".trace-", dir=parent)
    try:
        for rel, arr in weights.items():
            save_npy(tmp, rel, arr.astype(np.float32))
        save_npy(tmp, "inputs/images.npy", images.astype(np.float32))
        save_npy(tmp, "inputs/labels.npy", labels.astype(np.int64))
        save_npy(tmp, "reference/logits.npy", logits)
        act_layers = save_activations(tmp, cap)
        manifest = {
            "format": TRACE_FORMAT,
            "version": TRACE_VERSION,
            "network": {**meta["network"], "macs_per_image": graph.macs_per_image(ops)},
            "training": meta["training"],
            "batch_norm": "folded",
            "input": {"tensor": "input", "shape": [int(d) for d in images.shape[1:]],
                      "preprocessing": meta.get(
                          "preprocessing", f"(pixel / 255 - {fmnist.MEAN}) / {fmnist.STD}")},
            "output": ops[-1]["output"],
            "quantization": {
                "default_format": WA_FORMAT,
                "granularity": "per_tensor",
                "rule": "scale_exp = ceil(log2(max|x| / 31)), 31 = max of M4E3 (bias 3); "
                        "values are quantized as 2^scale_exp * Q_M4E3(x / 2^scale_exp)",
                "calibration": meta.get("calibration", ""),
            },
            "graph": ops,
            "inputs": {"images": "inputs/images.npy", "labels": "inputs/labels.npy",
                       "count": int(len(images)), "source": inputs_source},
            "activations": {"samples": samples, "layers": act_layers},
            "reference": {"logits": "reference/logits.npy", "top1": top1,
                          "producer": f"PyTorch {torch.__version__} float32 "
                                      "(tools/lba/graph.py run)"},
        }
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return top1


def read_trace(trace_dir):
    """(manifest, weights) of an existing trace; refuses other formats and versions."""
    path = os.path.join(trace_dir, "manifest.json")
    with open(path) as f:
        m = json.load(f)
    if m.get("format") != TRACE_FORMAT or m.get("version") != TRACE_VERSION:
        raise ValueError(f"{path}: format/version {m.get('format')!r}/{m.get('version')!r}, "
                         f"expected {TRACE_FORMAT!r}/{TRACE_VERSION}")
    weights = {}
    for op in m["graph"]:
        for key in ("weight", "bias"):
            if key in op:
                weights[op[key]] = np.load(os.path.join(trace_dir, op[key]))
    return m, weights


def test_images(count):
    images, labels = fmnist.load("t10k")
    count = len(images) if count <= 0 else min(count, len(images))
    return fmnist.normalize(images[:count]), labels[:count], \
        f"fashion-mnist t10k, images 0..{count - 1}" + (" (whole test split)"
                                                        if count == len(images) else "")

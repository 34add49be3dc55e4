"""Imports an ONNX model as an lbasim trace (manifest version 2 or 3; docs/onnx.md).

Usage: python3 -m lba.onnx_import MODEL.onnx --inputs X.npy [--labels Y.npy]
           [--bind NAME=FILE.npy ...] [--calibration C.npy] [--name NAME] --out DIR
Called by `lbasim import onnx`. Exit status 0 ok, 1 bad or unsupported input (nothing written).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx

from .convert import Converter, Unsupported
# evaluator and export import torch, which takes seconds: imported in main() only once the
# model has been converted.

CALIBRATION_IMAGES = 2048
ACTIVATION_SAMPLES = 4
BATCH = 256  # images per PyTorch evaluation


class BadInput(Exception):
    pass


def load_npy(path, what, kinds):
    if not os.path.isfile(path):
        raise BadInput(f"{what} {path}: no such file")
    try:
        a = np.load(path, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any unreadable file is bad input
        raise BadInput(f"{what} {path}: not a readable .npy file ({e})")
    if a.dtype.kind not in kinds:
        raise BadInput(f"{what} {path}: dtype {a.dtype}, expected "
                       + ("float32" if kinds == "f" else "integers" if kinds == "iu" else kinds))
    return a


def network_input(model, consts):
    """The one graph input that is neither an initializer nor bound."""
    free = [i for i in model.graph.input if i.name not in consts]
    if len(free) != 1:
        raise BadInput(f"the model has {len(free)} graph inputs that are not constants "
                       f"({[i.name for i in free]}); expected exactly one (bind the others to "
                       "values with --bind NAME=FILE.npy)")
    return free[0]


def check_input(vi, x):
    """Checks --inputs against the declared input; returns the model's batch dimension (an
    int if fixed, else None)."""
    t = vi.type.tensor_type
    if t.elem_type != onnx.TensorProto.FLOAT:
        raise BadInput(f"network input '{vi.name}' has ONNX type "
                       f"{onnx.TensorProto.DataType.Name(t.elem_type)}; expected FLOAT")
    dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
    if dims and len(dims) != x.ndim:
        raise BadInput(f"--inputs has shape {list(x.shape)} but input '{vi.name}' has rank "
                       f"{len(dims)} ({dims})")
    for i, d in enumerate(dims[1:], 1):
        if d and d != x.shape[i]:
            raise BadInput(f"--inputs has shape {list(x.shape)} but input '{vi.name}' is "
                           f"{dims} (dimension {i})")
    return dims[0] if dims and dims[0] else None


def conversion_batch(declared, count):
    """The batch N the graph's shapes are computed with: the model's fixed batch dimension, or
    for a symbolic one the number of inputs, at least 2 (with N = 1 an op that mixes the
    samples of a batch could not be told from one that does not)."""
    return declared if declared else max(2, count)


def calibrate(ops, weights, input_name, calib, evaluator, export):
    """W/A scales by the one scale rule (export.scale_exp = num::choose_pow2_scale): weights
    from max |W|, activations from max |x| of each GEMM input (both operands of a matmul) over
    the calibration inputs."""
    amax = {}

    def seen(op, ins, y):
        for i, t in enumerate(ins):
            key = (op["name"], i)
            amax[key] = max(amax.get(key, 0.0), float(t.abs().max()))

    for i in range(0, len(calib), BATCH):
        evaluator.run(ops, weights, calib[i:i + BATCH], input_name, on_gemm=seen, keep=())

    def spec(key, extra):
        return {"format": export.WA_FORMAT, "scale_exp": export.scale_exp(amax[key]), **extra}

    for op in ops:
        if op["op"] == "matmul":
            op["quant"] = {"a": spec((op["name"], 0), {"calibration_max": amax[op["name"], 0]}),
                           "b": spec((op["name"], 1), {"calibration_max": amax[op["name"], 1]})}
        elif op["op"] in evaluator.GEMM_OPS:
            wmax = float(np.abs(weights[op["weight"]]).max())
            op["quant"] = {
                "input": spec((op["name"], 0), {"calibration_max": amax[op["name"], 0]}),
                "weight": {"format": export.WA_FORMAT, "scale_exp": export.scale_exp(wmax),
                           "max": wmax}}


def main(argv):
    ap = argparse.ArgumentParser(prog="lbasim import onnx", description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--inputs", required=True, help="float32 .npy [count, ...]: the network input")
    ap.add_argument("--labels", help="int .npy [count]: class labels (output must be [N, classes])")
    ap.add_argument("--bind", action="append", default=[], metavar="NAME=FILE.npy",
                    help="bind graph input NAME to a constant (e.g. weights given as inputs)")
    ap.add_argument("--calibration", help="float32 .npy: activation-scale calibration inputs "
                    f"(default: the first {CALIBRATION_IMAGES} of --inputs)")
    ap.add_argument("--name", help="network name (default: the model file's stem)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)

    if not os.path.isfile(a.model):
        raise BadInput(f"{a.model}: no such file")
    try:
        model = onnx.load(a.model)
    except Exception as e:  # noqa: BLE001
        raise BadInput(f"{a.model}: not a readable ONNX model ({e})")
    bound = {}
    for b in a.bind:
        name, sep, path = b.partition("=")
        if not sep or not name:
            raise BadInput(f"--bind {b!r}: expected NAME=FILE.npy")
        if name not in {i.name for i in model.graph.input}:
            raise BadInput(f"--bind {b!r}: the model has no graph input '{name}'")
        bound[name] = load_npy(path, f"--bind {name}", "fiub")
    consts = {i.name for i in model.graph.initializer} | set(bound)
    x = load_npy(a.inputs, "--inputs", "f")
    if x.dtype != np.float32:
        raise BadInput(f"--inputs {a.inputs}: dtype {x.dtype}, expected float32")
    if x.ndim < 1 or x.shape[0] < 1:
        raise BadInput(f"--inputs {a.inputs}: shape {list(x.shape)}; expected [count, ...] with "
                       "count >= 1 (the first dimension is the ONNX batch)")
    if not np.isfinite(x).all():
        raise BadInput(f"--inputs {a.inputs}: non-finite values")
    vi = network_input(model, consts)
    declared = check_input(vi, x)
    labels = None
    if a.labels:
        labels = load_npy(a.labels, "--labels", "iu")
        if labels.shape != (len(x),):
            raise BadInput(f"--labels {a.labels}: shape {list(labels.shape)}, expected [{len(x)}]")
    calib = x[:CALIBRATION_IMAGES]
    if a.calibration:
        calib = load_npy(a.calibration, "--calibration", "f").astype(np.float32)
        if calib.shape[1:] != x.shape[1:]:
            raise BadInput(f"--calibration {a.calibration}: shape {list(calib.shape)}, expected "
                           f"[n, {', '.join(map(str, x.shape[1:]))}]")

    conv = Converter(model, bound, conversion_batch(declared, len(x)))
    try:
        out_tensor, out_layout = conv.convert(vi.name, list(x.shape[1:]))
    except Unsupported as e:
        raise Unsupported(f"{a.model}: {e}") from None
    from .. import evaluator, export  # noqa: E402  (the one evaluator; the W/A scale rule)
    ops = conv.ops
    out_shape = out_layout.per_sample
    weights = {k: np.asarray(v).astype(np.float32) for k, v in conv.weights.items()}
    for k, v in weights.items():
        if not np.isfinite(v).all():
            raise BadInput(f"{a.model}: {k} has non-finite values")
    if labels is not None:
        if len(out_shape) != 1:
            raise BadInput(f"--labels given but the output '{out_tensor}' is {out_shape} per "
                           "sample; labels need [classes]")
        if labels.min() < 0 or labels.max() >= out_shape[0]:
            raise BadInput(f"--labels {a.labels}: values {labels.min()}..{labels.max()}, expected "
                           f"0..{out_shape[0] - 1}")
    calibrate(ops, weights, vi.name, calib, evaluator, export)
    ref = []
    for i in range(0, len(x), BATCH):
        env, _ = evaluator.run(ops, weights, x[i:i + BATCH], vi.name, keep={out_tensor})
        ref.append(env[out_tensor].numpy().astype(np.float32))
    ref = np.concatenate(ref)
    samples = list(range(min(ACTIVATION_SAMPLES, len(x))))
    _, cap = evaluator.run(ops, weights, x[samples], vi.name, capture=True, keep=())

    name = a.name or os.path.splitext(os.path.basename(a.model))[0]
    parent = os.path.dirname(os.path.abspath(a.out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".trace-", dir=parent)
    try:
        for rel, arr in weights.items():
            export.save_npy(tmp, rel, arr)
        export.save_npy(tmp, "inputs/images.npy", x)
        inputs = {"images": "inputs/images.npy", "count": int(len(x)),
                  "source": os.path.abspath(a.inputs)}
        if labels is not None:
            export.save_npy(tmp, "inputs/labels.npy", labels.astype(np.int64))
            inputs["labels"] = "inputs/labels.npy"
        export.save_npy(tmp, "reference/outputs.npy", ref)
        act_layers = export.save_activations(tmp, cap)
        manifest = {
            "format": export.TRACE_FORMAT,
            "version": conv.version,
            "network": {"name": name,
                        "description": f"imported from ONNX {os.path.basename(a.model)} "
                                       f"(producer {model.producer_name or '?'} "
                                       f"{model.producer_version}, opset {conv.opset})",
                        "dataset": "",
                        "macs_per_image": evaluator.macs_per_image(ops, vi.name, x.shape[1:]),
                        "onnx_output": {"tensor": model.graph.output[0].name,
                                        **out_layout.describe()}},
            "training": {"script": "python3 -m lba.onnx_import (imported, not trained here)",
                         "source_model": os.path.abspath(a.model), "onnx": onnx.__version__},
            "batch_norm": "folded",
            "input": {"tensor": vi.name, "shape": [int(d) for d in x.shape[1:]],
                      "preprocessing": "none (the model's input as given in --inputs)"},
            "output": out_tensor,
            "quantization": {
                "default_format": export.WA_FORMAT, "granularity": "per_tensor",
                "rule": "scale_exp = the smallest s with max|x| / 2^s <= 31 (31 = max of M4E3, "
                        "bias 3; num::choose_pow2_scale); values are quantized as "
                        "2^scale_exp * Q_M4E3(x / 2^scale_exp)",
                "calibration": (os.path.abspath(a.calibration) if a.calibration else
                                f"the first {len(calib)} of the inputs")},
            "graph": ops,
            "inputs": inputs,
            "activations": {"samples": samples, "layers": act_layers},
            "reference": {"logits": "reference/outputs.npy",
                          "producer": "PyTorch float32 of the imported graph "
                                      "(tools/lba/evaluator.py)"},
        }
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        if os.path.exists(a.out):
            shutil.rmtree(a.out)
        os.rename(tmp, a.out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    n_gemm = sum(op["op"] in evaluator.GEMM_OPS for op in ops)
    print(f"imported {a.model}: {len(ops)} ops ({n_gemm} conv/linear/matmul), manifest version "
          f"{conv.version}, input {vi.name} {list(x.shape)}, output {out_tensor} {out_shape} "
          f"-> {a.out}")
    return 0


def cli(argv):
    """main() with the exit statuses of `lbasim import onnx`."""
    try:
        return main(argv)
    except (BadInput, Unsupported) as e:
        print(f"lbasim import onnx: error: {e}; no trace written", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - a bug here, not bad input: say so, distinctly
        import traceback
        traceback.print_exc()
        print("lbasim import onnx: internal error (a bug in tools/lba/onnx_import); no trace "
              "written", file=sys.stderr)
        return 3

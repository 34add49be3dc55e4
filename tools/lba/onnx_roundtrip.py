"""Round trip: our PyTorch networks -> torch.onnx.export -> lbasim import onnx -> lbasim run,
against the native traces of traces/data under every shipped config (docs/onnx.md).

  PYTHONPATH=tools /usr/bin/python3 -m lba.onnx_roundtrip --lbasim build/sim/lbasim --work DIR
      [--nets mlp,resnet] [--images mlp=1000,resnet=50] [--slow-images mlp=100,resnet=4]
      [--configs paper,fp32,fp16,bf16]

The networks are tools/lba/nets.py with the weights of the shipped traces (BN already folded
there; the ResNet's BNs are exported as identity BatchNormalization nodes with the folded bias
as beta, epsilon 0, so the importer's folding runs and is exact). Activation scales are
calibrated as the native traces' were (training images 0..2047). For each config both traces
run on the same images (--slow-images for the golden-only bf16 config); the check is
that top-1 is equal and, stronger, that the outputs are identical. Exit 1 on any difference.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from . import fmnist, nets

SLOW = {"bf16"}  # golden-only accumulator (docs/traces.md): ~2-3 M MAC/s per core


def load_weights(net, trace_dir):
    w = lambda n: torch.from_numpy(np.load(os.path.join(trace_dir, "weights", n)))  # noqa: E731
    model = nets.build(net).eval()
    if net == "mlp":
        for fc in ("fc1", "fc2", "fc3"):
            getattr(model, fc).weight.data = w(f"{fc}.weight.npy")
            getattr(model, fc).bias.data = w(f"{fc}.bias.npy")
        return model

    def conv_bn(conv, bn, name):
        conv.weight.data = w(f"{name}.weight.npy")
        bn.eps = 0.0  # identity BN carrying the folded bias: w * 1 / sqrt(1 + 0) is exact
        bn.weight.data.fill_(1.0)
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0)
        bn.bias.data = w(f"{name}.bias.npy")

    conv_bn(model.stem, model.stem_bn, "stem")
    for i, blk in enumerate(model.blocks):
        conv_bn(blk.conv1, blk.bn1, f"block{i}.conv1")
        conv_bn(blk.conv2, blk.bn2, f"block{i}.conv2")
        if blk.shortcut is not None:
            conv_bn(blk.shortcut[0], blk.shortcut[1], f"block{i}.shortcut")
    model.fc.weight.data = w("fc.weight.npy")
    model.fc.bias.data = w("fc.bias.npy")
    return model


def run(lbasim, trace, config, limit, out):
    subprocess.run([lbasim, "run", "--trace", trace, "--config", config, "--limit", str(limit),
                    "--quiet", "--out", out + ".json", "--dump-output", out + ".npy"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out + ".json") as f:
        return json.load(f), np.load(out + ".npy")


def pairs(s):
    return {k: int(v) for k, v in (p.split("=") for p in s.split(","))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lbasim", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nets", default="mlp,resnet")
    ap.add_argument("--images", default="mlp=1000,resnet=50")
    ap.add_argument("--slow-images", default="mlp=100,resnet=4")
    ap.add_argument("--configs", default="paper,fp32,fp16,bf16")
    a = ap.parse_args()
    torch.set_num_threads(1)
    images, slow = pairs(a.images), pairs(a.slow_images)
    os.makedirs(a.work, exist_ok=True)
    calib, _ = fmnist.load("train")
    calib_path = os.path.join(a.work, "calibration.npy")
    np.save(calib_path, fmnist.normalize(calib[:2048]))
    failures = []
    for net in a.nets.split(","):
        native = os.path.join(ROOT, "traces", "data", f"{net}-fmnist")
        with open(os.path.join(native, "manifest.json")) as f:
            m = json.load(f)
        model = load_weights(net, native)
        x = np.load(os.path.join(native, m["inputs"]["images"]))
        y = np.load(os.path.join(native, m["inputs"]["labels"]))
        onnx_path = os.path.join(a.work, f"{net}.onnx")
        torch.onnx.export(model, torch.from_numpy(x[:1]), onnx_path, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "n"}},
                          do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE,
                          opset_version=13)
        xp, yp = os.path.join(a.work, f"{net}.x.npy"), os.path.join(a.work, f"{net}.y.npy")
        np.save(xp, x)
        np.save(yp, y)
        imported = os.path.join(a.work, f"{net}-onnx")
        subprocess.run([a.lbasim, "import", "onnx", onnx_path, "--inputs", xp, "--labels", yp,
                        "--calibration", calib_path, "--name", f"{net}-onnx", "--out", imported],
                       check=True)
        with open(os.path.join(imported, "manifest.json")) as f:
            mi = json.load(f)
        qn = [op["quant"] for op in m["graph"] if "quant" in op]
        qi = [op["quant"] for op in mi["graph"] if "quant" in op]
        same_scales = [(q["input"]["scale_exp"], q["weight"]["scale_exp"]) for q in qn] == \
            [(q["input"]["scale_exp"], q["weight"]["scale_exp"]) for q in qi]
        print(f"{net}: trace ops {sorted(set(n['op'] for n in mi['graph']))}, "
              f"{len(qi)} conv/linear layers; W/A scales equal to the native trace's: "
              f"{same_scales}")
        if not same_scales:
            failures.append(f"{net} scales")
        for cfg in a.configs.split(","):
            n = slow[net] if cfg in SLOW else images[net]
            config = os.path.join(ROOT, "configs", f"{cfg}.json")
            rn, on = run(a.lbasim, native, config, n, os.path.join(a.work, f"{net}.{cfg}.native"))
            ri, oi = run(a.lbasim, imported, config, n, os.path.join(a.work, f"{net}.{cfg}.onnx"))
            identical = np.array_equal(on, oi)
            ok = rn["top1"] == ri["top1"] and identical
            print(f"  {cfg:6} {n:5} images: top-1 native {rn['top1']:.4f} imported "
                  f"{ri['top1']:.4f}; outputs identical: {identical} "
                  f"(max |diff| {float(np.abs(on - oi).max()):.3g})  {'ok' if ok else 'DIFFER'}")
            if not ok:
                failures.append(f"{net} {cfg}")
    if failures:
        sys.exit(f"roundtrip: FAIL: {', '.join(failures)}")
    print("roundtrip: all equal")


if __name__ == "__main__":
    main()

"""LBA-aware fine-tuning of a trace's folded graph (docs/finetune.md).

TraceNet runs a trace's graph with every conv/linear GEMM in lbasim's arithmetic (the lba_ext
extension: num::quantize_scaled for W/A, num::gemm for the accumulation), everything else in
float64 in lbasim's executor's order, so its logits are bit-identical to `lbasim run`'s.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import lba_ext  # noqa: E402

from . import export, fmnist, graph  # noqa: E402

STAGES = ("none", "flush")


def read_config(path_or_dict):
    if isinstance(path_or_dict, dict):
        return dict(path_or_dict)
    with open(path_or_dict) as f:
        return json.load(f)


def with_underflow(cfg, policy):
    """The config with underflow=`policy` on every stage (product, accumulator, chunk
    accumulator). 'flush' returns cfg unchanged (the target config)."""
    if policy == "flush":
        return dict(cfg)
    out = dict(cfg)
    for key in ("product", "accumulator", "chunk_accumulator"):
        fmt = cfg.get(key, cfg["accumulator"] if key == "chunk_accumulator" else None)
        if not isinstance(fmt, str):
            raise ValueError(f"config {key}: stage 1 needs a shorthand string format, got {fmt!r}")
        if "underflow" in fmt or "flush" in fmt or "subnormal" in fmt:
            raise ValueError(f"config {key} {fmt!r}: already names an underflow policy")
        out[key] = f"{fmt}:underflow={policy}"
    return out


class TraceNet(torch.nn.Module):
    """A trace's graph as a module. cfg: config dict, or None for exact float64 GEMMs (W/A
    still quantized unless wa=False)."""

    def __init__(self, manifest, weights, cfg, estimator="ste", wa=True):
        super().__init__()
        lba_ext.load()
        self.ops = [dict(op) for op in manifest["graph"]]
        self.input_tensor = manifest["input"]["tensor"]
        self.layers = torch.nn.ModuleDict()
        self.lba_ops = {}
        for op in self.ops:
            if op["op"] not in graph.GEMM_OPS:
                continue
            q = op["quant"]
            if q["input"]["format"] != q["weight"]["format"]:
                raise ValueError(f"{op['name']}: W and A formats differ")
            s_in = q["input"]["scale_exp"]
            s_in = s_in[0] if isinstance(s_in, list) else s_in
            lop = lba_ext.LbaOp(None, estimator, q["input"]["format"], s_in, wa)
            self.lba_ops[op["name"]] = lop
            w, b = weights[op["weight"]], weights[op["bias"]]
            key = op["name"].replace(".", "_")
            if op["op"] == "conv2d":
                if op["groups"] != 1:
                    raise ValueError(f"{op['name']}: groups {op['groups']} not supported")
                self.layers[key] = lba_ext.LbaConv2d(w, b, op["stride"], op["padding"],
                                                     op["dilation"], lop)
            else:
                self.layers[key] = lba_ext.LbaLinear(w, b, lop)
            op["_key"] = key
        self.set_config(cfg)

    def set_config(self, cfg, estimator=None):
        text = None if cfg is None else lba_ext.config_json(cfg)
        for lop in self.lba_ops.values():
            lop.cfg = text
            if estimator is not None:
                lop.estimator = estimator

    def forward(self, x):
        env = {self.input_tensor: x.double()}
        for op in self.ops:
            kind = op["op"]
            ins = [env[t] for t in op["inputs"]]
            if kind in graph.GEMM_OPS:
                y = self.layers[op["_key"]](ins[0])
            elif kind == "relu":
                y = torch.relu(ins[0])
            elif kind == "maxpool":
                y = F.max_pool2d(ins[0], tuple(op["kernel"]), tuple(op["stride"]),
                                 tuple(op["padding"]))
            elif kind == "add":
                y = ins[0] + ins[1]
            elif kind == "flatten":
                y = torch.flatten(ins[0], 1)
            elif kind == "global_avgpool":
                y = lba_ext.global_avgpool(ins[0])
            else:
                raise ValueError(f"op {kind!r} not supported by TraceNet")
            env[op["output"]] = y
        return env[self.ops[-1]["output"]]

    def quant(self):
        """The manifest `quant` of every GEMM layer as the module computes it now."""
        out = {}
        for op in self.ops:
            if op["op"] in graph.GEMM_OPS:
                layer = self.layers[op["_key"]]
                lop = self.lba_ops[op["name"]]
                wmax = float(layer.weight.detach().abs().max())
                out[op["name"]] = {
                    "input": {"format": lop.wa_format, "scale_exp": lop.input_scale},
                    "weight": {"format": lop.wa_format, "scale_exp": layer.weight_scale(),
                               "max": wmax},
                }
        return out

    def weights(self):
        """{file: float32 array} of the current parameters, keyed as the manifest names them."""
        out = {}
        for op in self.ops:
            if op["op"] in graph.GEMM_OPS:
                layer = self.layers[op["_key"]]
                out[op["weight"]] = layer.weight.detach().numpy().astype(np.float32)
                out[op["bias"]] = layer.bias.detach().numpy().astype(np.float32)
        return out


@torch.no_grad()
def evaluate(net, images, labels, batch=250):
    """(top-1, logits float64) of net on float32 images."""
    net.eval()
    logits = []
    for i in range(0, len(images), batch):
        logits.append(net(torch.as_tensor(images[i:i + batch])))
    logits = torch.cat(logits).numpy()
    return float((logits.argmax(1) == labels).mean()), logits


def train_stage(net, images, labels, steps, batch, lr, seed, log=None, max_batches=0):
    """Adam with a cosine-decayed learning rate over `steps` batches of a shuffled subset."""
    net.train()
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    n = len(images)
    order = torch.randperm(n, generator=gen)
    pos = 0
    losses = []
    t0 = time.time()
    total = steps if max_batches <= 0 else min(steps, max_batches)
    for step in range(total):
        if pos + batch > n:
            order, pos = torch.randperm(n, generator=gen), 0
        idx = order[pos:pos + batch].numpy()
        pos += batch
        for g in opt.param_groups:
            g["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / max(1, steps)))
        x = torch.as_tensor(images[idx])
        y = torch.as_tensor(labels[idx])
        loss = F.cross_entropy(net(x).float(), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if log and (step % 20 == 0 or step == total - 1):
            log(f"  step {step + 1}/{total} loss {np.mean(losses[-20:]):.4f} "
                f"({time.time() - t0:.0f} s)")
    return losses


def train_subset(count, seed):
    """The first `count` training images after a seeded shuffle, normalized, and labels.
    Images 0..2047 are the calibration set of the shipped scales; they are included."""
    imgs, labels = fmnist.load("train")
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(imgs))[:count]
    return fmnist.normalize(imgs[idx]), labels[idx]


def export_trace(net, manifest, out_dir, images, labels, source, note):
    """Writes the fine-tuned network as a trace with the module's scales (tools/lba/export.py)."""
    ops = [{k: v for k, v in op.items() if k not in ("quant", "_key")} for op in net.ops]
    meta = {"network": {k: v for k, v in manifest["network"].items() if k != "macs_per_image"},
            "training": {**manifest["training"], "fine_tuning": note},
            "calibration": manifest["quantization"].get("calibration", "")}
    return export.write_trace(out_dir, meta, ops, net.weights(), net.quant(), images, labels,
                              source)

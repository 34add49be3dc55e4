"""LBA-aware fine-tuning of a trace's folded graph (docs/finetune.md).

TraceNet runs a trace's graph with every GEMM (conv2d, linear, matmul) in lbasim's arithmetic
(the lba_ext extension: num::quantize_scaled for W/A, num::gemm for the accumulation),
everything else in float64 in lbasim's executor's order (evaluator.py, exact mode, with the C
library's transcendental functions), so its logits are bit-identical to `lbasim run`'s.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import lba_ext  # tools/lba_ext, beside this package on PYTHONPATH

from . import evaluator, export, fmnist, graph, windows

STAGES = ("none", "flush")


def log(msg):
    print(msg, flush=True)


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


class _Libm(torch.autograd.Function):
    """The C library's exp / erf / tanh / pow (lba_ext.libm: what lbasim's executor calls),
    with their derivatives."""

    @staticmethod
    def forward(ctx, name, x, y):
        out = lba_ext.load().libm(name, x.contiguous(), None if y is None else y.contiguous())
        ctx.name = name
        ctx.save_for_backward(x, out, *(() if y is None else (y,)))
        return out

    @staticmethod
    def backward(ctx, g):
        x, out, *rest = ctx.saved_tensors
        if ctx.name == "exp":
            return None, g * out, None
        if ctx.name == "tanh":
            return None, g * (1 - out * out), None
        if ctx.name == "erf":
            return None, g * (2 / math.sqrt(math.pi)) * torch.exp(-x * x), None
        y = rest[0]  # pow
        return None, g * y * torch.pow(x, y - 1), g * out * torch.log(x)


def libm(name, x, y=None):
    if y is not None:
        x, y = torch.broadcast_tensors(x, y)
    return _Libm.apply(name, x, y)


class LbaMatmul(torch.nn.Module):
    """matmul of two activations as lbasim runs it: A and B W/A-quantized with their
    calibrated scales, one GEMM per image and leading index (broadcast), in lbasim's
    arithmetic."""

    def __init__(self, op, lop_a, scale_b):
        super().__init__()
        self.rank = len(op["shape"])
        self.lop, self.scale_b = lop_a, scale_b

    def forward(self, a, b):
        a = evaluator.Evaluator.align(a.double(), self.rank)
        b = evaluator.Evaluator.align(b.double(), self.rank)
        floors = (None, None)
        if self.lop.wa:
            a = lba_ext.quantize(a, self.lop.input_scale, self.lop.wa_format)
            b = lba_ext.quantize(b, self.scale_b, self.lop.wa_format)
            floors = lba_ext.operand_floors(self.lop.wa_format, self.lop.input_scale, self.scale_b)
        lead = list(torch.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
        m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
        a = a.expand(lead + [m, k]).reshape(-1, m, k)
        b = b.expand(lead + [k, n]).reshape(-1, k, n)
        c = [lba_ext.lba_gemm(a[i].contiguous(), b[i].contiguous(), self.lop.cfg,
                              self.lop.estimator, None, floors) for i in range(a.shape[0])]
        return torch.stack(c).reshape(lead + [m, n])


class TraceNet(torch.nn.Module):
    """A trace's graph as a module: the one evaluator (evaluator.py) in its exact mode, every
    GEMM in lbasim's arithmetic. cfg: config dict, or None for exact float64 GEMMs (W/A still
    quantized unless wa=False). Trainable: the weights and biases of conv2d and linear; layer
    norms and constants (a ViT's class token and position embedding) stay as in the trace."""

    def __init__(self, manifest, weights, cfg, estimator="ste", wa=True):
        super().__init__()
        lba_ext.load()
        self.manifest = manifest
        self.ops = [dict(op) for op in manifest["graph"]]
        self.input_tensor = manifest["input"]["tensor"]
        self.output = manifest["output"]
        self.layers = torch.nn.ModuleDict()
        self.lba_ops = {}
        gemm_files = set()
        for op in self.ops:
            if op["op"] not in graph.GEMM_OPS:
                continue
            q = op["quant"]
            qa, qb = (q["a"], q["b"]) if op["op"] == "matmul" else (q["input"], q["weight"])
            if qa["format"] != qb["format"]:
                raise ValueError(f"{op['name']}: the two operands' W/A formats differ")
            s_in = qa["scale_exp"]
            s_in = s_in[0] if isinstance(s_in, list) else s_in
            lop = lba_ext.LbaOp(None, estimator, qa["format"], s_in, wa)
            self.lba_ops[op["name"]] = lop
            key = op["name"].replace(".", "_")
            if op["op"] == "matmul":
                self.layers[key] = LbaMatmul(op, lop, qb["scale_exp"])
            else:
                w, b = weights[op["weight"]], weights[op["bias"]]
                gemm_files |= {op["weight"], op["bias"]}
                if op["op"] == "conv2d":
                    self.layers[key] = self._conv(op, w, b, lop)
                else:
                    self.layers[key] = lba_ext.LbaLinear(w, b, lop)
            op["_key"] = key
        self.fixed = {k: v for k, v in weights.items() if k not in gemm_files}
        self.evaluator = evaluator.Evaluator(self.fixed, gemm=self._gemm, exact=True, libm=libm)
        self.set_config(cfg)

    @staticmethod
    def _conv(op, w, b, lop):
        if op["groups"] != 1:
            raise ValueError(f"{op['name']}: groups {op['groups']} not supported")
        t, l, bo, r = windows.pads(op)
        conv = lba_ext.LbaConv2d(w, b, op["stride"], (0, 0), op["dilation"], lop)
        if (t, l, bo, r) == (0, 0, 0, 0):
            return conv
        # zero padding first (what lbasim's lowering reads outside the input), then no padding
        return torch.nn.Sequential(torch.nn.ZeroPad2d((l, r, t, bo)), conv)

    def _gemm(self, op, ins):
        return self.layers[op["_key"]](*ins)

    def set_config(self, cfg, estimator=None):
        text = None if cfg is None else lba_ext.config_json(cfg)
        for lop in self.lba_ops.values():
            lop.cfg = text
            if estimator is not None:
                lop.estimator = estimator

    def forward(self, x):
        env, _ = self.evaluator.run(self.ops, x.double(), self.input_tensor, keep={self.output})
        return env[self.output]

    def _conv_or_linear(self, op):
        layer = self.layers[op["_key"]]
        return layer[-1] if isinstance(layer, torch.nn.Sequential) else layer

    def quant(self):
        """The manifest `quant` of every GEMM layer as the module computes it now."""
        out = {}
        for op in self.ops:
            if op["op"] == "matmul":
                out[op["name"]] = {k: {"format": v["format"], "scale_exp": v["scale_exp"]}
                                   for k, v in op["quant"].items() if k in ("a", "b")}
            elif op["op"] in graph.GEMM_OPS:
                layer = self._conv_or_linear(op)
                lop = self.lba_ops[op["name"]]
                wmax = float(layer.weight.detach().abs().max())
                out[op["name"]] = {
                    "input": {"format": lop.wa_format, "scale_exp": lop.input_scale},
                    "weight": {"format": lop.wa_format, "scale_exp": layer.weight_scale(),
                               "max": wmax},
                }
        return out

    def weights(self):
        """{file: float32 array} of the current parameters and the fixed tensors, keyed as the
        manifest names them."""
        out = dict(self.fixed)
        for op in self.ops:
            if op["op"] in ("conv2d", "linear"):
                layer = self._conv_or_linear(op)
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
            "calibration": manifest["quantization"].get("calibration", ""),
            "version": manifest["version"], "input": manifest["input"],
            "output": manifest["output"]}
    return export.write_trace(out_dir, meta, ops, net.weights(), net.quant(), images, labels,
                              source)


CLI_DOC = """LBA-aware fine-tuning of a trace (docs/finetune.md): the forward is lbasim's arithmetic
(num::gemm through tools/lba_ext), the backward one of the estimators ste, immediate,
recursive. Two stages: underflow `none` on every stage format, then the config itself (flush).
Evaluates on the trace's test images before and after, exports the result as a trace and
writes a JSON summary.

  PYTHONPATH=tools /usr/bin/python3 -m lba.finetune --trace build-ft/traces/resnet-fmnist-full \\
      --config configs/finetune/m7e4_c16.json --estimator ste --train-count 6000 \\
      --epochs 1 1 --out build-ft/ft/resnet-m7e4 --json build-ft/ft/resnet-m7e4.json
"""


def main():
    """The command line (CLI_DOC)."""
    ap = argparse.ArgumentParser(description=CLI_DOC, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--trace", required=True, help="trace to start from (weights, graph, scales, "
                                                   "test images)")
    ap.add_argument("--config", required=True, help="target accumulation config (JSON)")
    ap.add_argument("--estimator", choices=("ste", "immediate", "recursive"), default="ste")
    ap.add_argument("--train-count", type=int, default=6000, help="training images (subset)")
    ap.add_argument("--epochs", type=float, nargs=2, default=(1.0, 1.0), metavar=("NONE", "FLUSH"),
                    help="epochs over the subset in stage 1 (underflow none) and 2 (flush)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-count", type=int, default=0, help="test images (0: all the trace's)")
    ap.add_argument("--skip-zero-shot", action="store_true", help="no evaluation before training")
    ap.add_argument("--max-batches", type=int, default=0,
                    help="stop each stage after N batches (CI smoke runs)")
    ap.add_argument("--threads", type=int, default=1, help="torch and engine threads")
    ap.add_argument("--out", help="write the fine-tuned network as a trace here (replaced)")
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.time()
    manifest, weights = export.read_trace(args.trace)
    root = args.trace
    images = np.load(os.path.join(root, manifest["inputs"]["images"]))
    labels = np.load(os.path.join(root, manifest["inputs"]["labels"]))
    if args.eval_count > 0:
        images, labels = images[:args.eval_count], labels[:args.eval_count]
    cfg = read_config(args.config)
    net = TraceNet(manifest, weights, cfg, args.estimator)
    summary = {"trace": args.trace, "config": cfg, "config_file": args.config,
               "estimator": args.estimator, "seed": args.seed, "train_count": args.train_count,
               "epochs": list(args.epochs), "batch": args.batch, "lr": args.lr,
               "threads": args.threads, "eval_images": int(len(images))}
    if not args.skip_zero_shot:
        t0 = time.time()
        summary["zero_shot_top1"], _ = evaluate(net, images, labels)
        log(f"zero-shot top-1 {summary['zero_shot_top1']:.4f} ({time.time() - t0:.0f} s)")

    train_x, train_y = train_subset(args.train_count, args.seed)
    stages = []
    for policy, epochs in zip(STAGES, args.epochs):
        steps = int(math.ceil(epochs * len(train_x) / args.batch))
        if steps == 0:
            continue
        net.set_config(with_underflow(cfg, policy))
        t0 = time.time()
        log(f"stage underflow={policy}: {steps} batches of {args.batch}")
        losses = train_stage(net, train_x, train_y, steps, args.batch, args.lr,
                                      args.seed + len(stages), log, args.max_batches)
        stages.append({"underflow": policy, "batches": len(losses), "seconds": time.time() - t0,
                       "final_loss": float(np.mean(losses[-20:]))})
    summary["stages"] = stages
    summary["train_seconds"] = sum(s["seconds"] for s in stages)

    net.set_config(cfg)
    t0 = time.time()
    summary["finetuned_top1"], logits = evaluate(net, images, labels)
    log(f"fine-tuned top-1 {summary['finetuned_top1']:.4f} ({time.time() - t0:.0f} s)")
    if args.out:
        note = (f"lba.finetune: config {args.config}, estimator {args.estimator}, "
                f"{args.train_count} training images, epochs {list(args.epochs)} "
                f"(underflow none, flush), batch {args.batch}, Adam lr {args.lr} cosine, "
                f"seed {args.seed}")
        source = manifest["inputs"]["source"]
        export_trace(net, manifest, args.out, images, labels, source, note)
        np.save(os.path.join(args.out, "finetune_logits.npy"), logits)
        summary["trace_out"] = args.out
        log(f"wrote {args.out}")
    summary["total_seconds"] = time.time() - t_start
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f, indent=1)
        os.replace(tmp, args.json)  # never a partial summary
    log(json.dumps({k: summary[k] for k in summary if k.endswith("top1")}))


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError, KeyError, RuntimeError, json.JSONDecodeError) as e:
        # Bad trace or config (the numerics library's InputError arrives as RuntimeError and
        # names the field); nothing is written.
        sys.exit(f"lba.finetune: error: {type(e).__name__}: {e}")

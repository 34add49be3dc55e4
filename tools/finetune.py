#!/usr/bin/python3
"""LBA-aware fine-tuning of a trace (docs/finetune.md): the forward is lbasim's arithmetic
(num::gemm through tools/lba_ext), the backward one of the estimators ste, immediate,
recursive. Two stages: underflow `none` on every stage format, then the config itself (flush).
Evaluates on the trace's test images before and after, exports the result as a trace and
writes a JSON summary.

  /usr/bin/python3 tools/finetune.py --trace build-ft/traces/resnet-fmnist-full \\
      --config configs/finetune/m7e4_c16.json --estimator ste --train-count 6000 \\
      --epochs 1 1 --out build-ft/ft/resnet-m7e4 --json build-ft/ft/resnet-m7e4.json
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lba import export, finetune  # noqa: E402


def log(msg):
    print(msg, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
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
    cfg = finetune.read_config(args.config)
    net = finetune.TraceNet(manifest, weights, cfg, args.estimator)
    summary = {"trace": args.trace, "config": cfg, "config_file": args.config,
               "estimator": args.estimator, "seed": args.seed, "train_count": args.train_count,
               "epochs": list(args.epochs), "batch": args.batch, "lr": args.lr,
               "threads": args.threads, "eval_images": int(len(images))}
    if not args.skip_zero_shot:
        t0 = time.time()
        summary["zero_shot_top1"], _ = finetune.evaluate(net, images, labels)
        log(f"zero-shot top-1 {summary['zero_shot_top1']:.4f} ({time.time() - t0:.0f} s)")

    train_x, train_y = finetune.train_subset(args.train_count, args.seed)
    stages = []
    for policy, epochs in zip(finetune.STAGES, args.epochs):
        steps = int(math.ceil(epochs * len(train_x) / args.batch))
        if steps == 0:
            continue
        net.set_config(finetune.with_underflow(cfg, policy))
        t0 = time.time()
        log(f"stage underflow={policy}: {steps} batches of {args.batch}")
        losses = finetune.train_stage(net, train_x, train_y, steps, args.batch, args.lr,
                                      args.seed + len(stages), log, args.max_batches)
        stages.append({"underflow": policy, "batches": len(losses), "seconds": time.time() - t0,
                       "final_loss": float(np.mean(losses[-20:]))})
    summary["stages"] = stages
    summary["train_seconds"] = sum(s["seconds"] for s in stages)

    net.set_config(cfg)
    t0 = time.time()
    summary["finetuned_top1"], logits = finetune.evaluate(net, images, labels)
    log(f"fine-tuned top-1 {summary['finetuned_top1']:.4f} ({time.time() - t0:.0f} s)")
    if args.out:
        note = (f"tools/finetune.py: config {args.config}, estimator {args.estimator}, "
                f"{args.train_count} training images, epochs {list(args.epochs)} "
                f"(underflow none, flush), batch {args.batch}, Adam lr {args.lr} cosine, "
                f"seed {args.seed}")
        source = manifest["inputs"]["source"]
        finetune.export_trace(net, manifest, args.out, images, labels, source, note)
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
        sys.exit(f"finetune.py: error: {type(e).__name__}: {e}")

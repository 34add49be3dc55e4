#!/usr/bin/python3
"""Trains a network on Fashion-MNIST from scratch (fixed seed) and exports its lbasim trace.

  PYTHONPATH=tools /usr/bin/python3 -m lba.train --net resnet --out traces/data/resnet-fmnist
  PYTHONPATH=tools /usr/bin/python3 -m lba.train --net mlp --out traces/data/mlp-fmnist

Takes a few minutes per network on 2 CPU cores. The trace holds the trained weights (batch
norm folded), so the shipped traces are the weight store: tools/build_full_trace rebuilds a
full-test-split trace from them without retraining.
"""
import argparse
import sys

import numpy as np
import torch

from . import export, fmnist, graph, nets, training

SETTINGS = {
    # epochs, batch, max lr, weight decay, augmentation
    "resnet": dict(epochs=5, batch=128, lr=4e-3, wd=1e-4, augment=True),
    "mlp": dict(epochs=6, batch=256, lr=2e-3, wd=0.0, augment=False),
}
NAMES = {"resnet": "resnet-fmnist", "mlp": "mlp-fmnist"}
DESCRIPTIONS = {
    "resnet": "ResNet: stem conv 1->16 + max pool, 4 basic blocks (16, 16->32 stride 2, 32->64, "
              "64) with batch norm, global average pool, linear 64->10",
    "mlp": "MLP 784-256-128-10 with ReLU",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--net", choices=sorted(SETTINGS), required=True)
    ap.add_argument("--out", required=True, help="trace folder to write (replaced)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, help="default: per network (resnet 5, mlp 6)")
    ap.add_argument("--count", type=int, default=1000,
                    help="test images in the trace (0: the whole test split)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1: fastest on a loaded 2-core machine)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # denormal weights/gradients can slow CPU training 10x
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    s = dict(SETTINGS[args.net])
    if args.epochs:
        s["epochs"] = args.epochs

    train_u8, train_y = fmnist.load("train")
    test_u8, test_y = fmnist.load("t10k")
    train_x = torch.from_numpy(fmnist.normalize(train_u8))
    train_t = torch.from_numpy(train_y)
    test_x = fmnist.normalize(test_u8)

    model = nets.build(args.net)
    acc = training.fit(model, train_x, train_t, test_x, test_y, s, gen,
                       lambda m: print(m, flush=True))
    g = graph.from_model(args.net, model)
    # The folded graph must give the module's predictions (checks folding and the graph).
    folded_logits, _ = graph.run(g.ops, g.weights, test_x)
    folded_acc = float((folded_logits.numpy().argmax(1) == test_y).mean())
    print(f"FP32 test top-1: module {acc:.4f}, folded graph {folded_acc:.4f}")
    if abs(folded_acc - acc) > 0.002:
        sys.exit("folded graph disagrees with the trained module")

    calib = fmnist.normalize(train_u8[:export.CALIBRATION_IMAGES])
    quant = export.calibrate(g.ops, g.weights, calib)
    meta = {
        "network": {"name": NAMES[args.net], "description": DESCRIPTIONS[args.net],
                    "dataset": "fashion-mnist"},
        "training": {"script": f"python3 -m lba.train --net {args.net}", "seed": args.seed,
                     "epochs": s["epochs"], "batch_size": s["batch"],
                     "optimizer": f"AdamW (weight decay {s['wd']}), OneCycle max lr {s['lr']}",
                     "augmentation": "random horizontal flip per image"
                                     if s["augment"] else "none",
                     "pytorch": torch.__version__,
                     "fp32_top1_test": folded_acc,
                     "fp32_top1_test_note": "whole t10k split (10000 images), folded graph in "
                                            "PyTorch float32, measured at export"},
        "calibration": f"max |x| over training images 0..{export.CALIBRATION_IMAGES - 1}",
    }
    images, labels, source = export.test_images(args.count)
    top1 = export.write_trace(args.out, meta, g.ops, g.weights, quant, images, labels, source)
    print(f"wrote {args.out}: {len(images)} images, reference top-1 {top1:.4f}")


if __name__ == "__main__":
    main()

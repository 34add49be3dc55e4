#!/usr/bin/python3
"""Re-exports a trace with other evaluation inputs, from the weights a trace already holds
(no retraining): same graph, weights, scales and training record; new images, labels,
captured activations and PyTorch reference logits.

  PYTHONPATH=tools /usr/bin/python3 -m lba.export_trace --from-trace traces/data/resnet-fmnist --count 0 \\
      --out build/traces/resnet-fmnist-full        # --count 0: the whole test split
"""
import argparse
import os
import sys

import torch

from . import export


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--from-trace", required=True, help="existing trace (weights, graph, scales)")
    ap.add_argument("--out", required=True, help="trace folder to write (replaced)")
    ap.add_argument("--count", type=int, default=0,
                    help="first N test images (0: the whole test split, 10000)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if os.path.abspath(args.out) == os.path.abspath(args.from_trace):
        sys.exit("--out must differ from --from-trace")

    m, weights = export.read_trace(args.from_trace)
    quant = {op["name"]: op["quant"] for op in m["graph"] if "quant" in op}
    ops = [{k: v for k, v in op.items() if k != "quant"} for op in m["graph"]]
    meta = {"network": {k: v for k, v in m["network"].items() if k != "macs_per_image"},
            "training": m["training"],
            "calibration": m["quantization"].get("calibration", ""),
            "version": m["version"], "input": m["input"], "output": m["output"]}
    images, labels, source = export.test_images(args.count)
    top1 = export.write_trace(args.out, meta, ops, weights, quant, images, labels, source)
    print(f"wrote {args.out}: {len(images)} images, reference top-1 {top1:.4f}")


if __name__ == "__main__":
    main()

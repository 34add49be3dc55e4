"""Trains the small ViT (nets.ViT) on Fashion-MNIST from scratch and ships it as a trace.

  PYTHONPATH=tools /usr/bin/python3 -m lba.train_vit --out traces/data/vit-fmnist

The trace is made the way a user brings a network: torch.onnx export (opset 17), then the ONNX
importer (lba.onnx_import) with the first `--count` test images, their labels and training
images 0..2047 for calibration; the manifest's network and training fields are then filled in.
tools/build_full_trace re-exports it with the whole test split from the shipped weights, as
it does for the CNNs. Training costs about 10-13 CPU-minutes per epoch (docs/onnx.md, "A
transformer trained here").
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch

from . import evaluator, export, fmnist, nets, training
from .onnx_import import main as importer

SETTINGS = dict(epochs=12, batch=128, lr=2e-3, wd=0.05, augment=True, shift=2)
NAME = "vit-fmnist"
DESCRIPTION = ("ViT: 4x4 patches (49 tokens + class token), width 64, 4 pre-norm blocks of "
               "4-head attention (head 16) and GELU MLP 128, final layer norm, linear 64->10")


def export_onnx(model, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(2, 1, 28, 28), path, opset_version=17,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="trace folder to write (replaced)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    ap.add_argument("--count", type=int, default=1000,
                    help="test images in the trace (0: the whole test split)")
    ap.add_argument("--batch", type=int, default=SETTINGS["batch"])
    ap.add_argument("--no-augment", action="store_true",
                    help="no flips or shifts (a short schedule converges faster without them)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--train-limit", type=int, default=0,
                    help="train on the first N training images only (a quick check of the "
                         "pipeline; not for the shipped trace)")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    s = dict(SETTINGS, epochs=args.epochs, batch=args.batch, augment=not args.no_augment,
             progress=50)
    train_u8, train_y = fmnist.load("train")
    test_x = fmnist.normalize(fmnist.load("t10k")[0])
    test_y = fmnist.load("t10k")[1]
    model = nets.ViT()
    n = args.train_limit or len(train_u8)
    acc = training.fit(model, torch.from_numpy(fmnist.normalize(train_u8[:n])),
                       torch.from_numpy(train_y[:n]), test_x, test_y, s, gen,
                       lambda m: print(m, flush=True))
    trained = {"script": "python3 -m lba.train_vit", "seed": args.seed,
               "epochs": s["epochs"], "batch_size": s["batch"],
               "optimizer": f"AdamW (weight decay {s['wd']}), OneCycle max lr {s['lr']}",
               "augmentation": (f"random horizontal flip, random shift by up to {s['shift']} "
                                "pixels" if s["augment"] else "none"),
               "pytorch": torch.__version__}
    print(f"FP32 test top-1 of the module: {acc:.4f}", flush=True)

    images, labels, source = export.test_images(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = os.path.join(tmp, "vit.onnx")
        export_onnx(model, onnx_path)
        for name, arr in (("x", images), ("y", labels),
                          ("calib", fmnist.normalize(train_u8[:export.CALIBRATION_IMAGES]))):
            np.save(os.path.join(tmp, f"{name}.npy"), arr)
        if importer.cli([onnx_path, "--inputs", os.path.join(tmp, "x.npy"), "--labels",
                         os.path.join(tmp, "y.npy"), "--calibration",
                         os.path.join(tmp, "calib.npy"), "--name", NAME, "--out", args.out]):
            sys.exit("train_vit: the import failed")

    # The imported graph must classify like the module (checks export and import).
    path = os.path.join(args.out, "manifest.json")
    with open(path) as f:
        m = json.load(f)
    _, weights = export.read_trace(args.out)
    logits = [evaluator.run(m["graph"], weights, test_x[i:i + 1000], m["input"]["tensor"],
                            keep={m["output"]})[0][m["output"]].numpy()
              for i in range(0, len(test_x), 1000)]
    graph_acc = float((np.concatenate(logits).argmax(1) == test_y).mean())
    print(f"FP32 test top-1: module {acc:.4f}, imported graph {graph_acc:.4f}")
    if abs(graph_acc - acc) > 0.002:
        sys.exit("train_vit: the imported graph disagrees with the trained module")
    m["network"].update(name=NAME, description=DESCRIPTION, dataset="fashion-mnist")
    m["training"] = {**trained, "fp32_top1_test": graph_acc,
                     "fp32_top1_test_note": "whole t10k split (10000 images), imported graph in "
                                            "PyTorch float32, measured at export",
                     "exported": "torch.onnx opset 17, imported by python3 -m lba.onnx_import"}
    m["input"]["preprocessing"] = f"(pixel / 255 - {fmnist.MEAN}) / {fmnist.STD}"
    m["inputs"]["source"] = source
    m["quantization"]["calibration"] = ("max |x| over training images "
                                        f"0..{export.CALIBRATION_IMAGES - 1}")
    with open(path + ".tmp", "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {args.out}: {len(images)} images")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

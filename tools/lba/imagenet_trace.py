"""An ImageNet-shaped trace of a torchvision network (default ResNet-50), built, not shipped.

  PYTHONPATH=tools /usr/bin/python3 -m lba.imagenet_trace --lbasim build/sim/lbasim \\
      --out build/traces/resnet50-imagenet [--model resnet50] [--images 4] [--seed 0]

The network has seeded random weights (lba.torchvision_check.build: torchvision's own
initialization, random batch-norm scales and shifts) with batch-norm statistics measured on
the images (as training leaves them); the images are synthetic: `--images`
224x224 RGB images of seeded Gaussian noise, smoothed (3x3 box blur, twice) so that they have
some spatial correlation, then normalized per channel to zero mean and unit variance, as
ImageNet preprocessing leaves real images. They are also the calibration images. There are no
labels (no ImageNet here), so `lbasim run` reports no top-1: it reports, per layer, the SQNR
against the FP32 reference network and the events, which is what this trace is for
(docs/onnx.md, "ImageNet scale").
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from . import torchvision_check


def synthetic_images(count, seed):
    import numpy as np
    import torch
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((count, 3, 224, 224), generator=g)
    box = torch.ones((3, 1, 3, 3)) / 9
    for _ in range(2):
        x = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), box, groups=3)
    x = (x - x.mean(dim=(0, 2, 3), keepdim=True)) / x.std(dim=(0, 2, 3), keepdim=True)
    return x.numpy().astype(np.float32)


def recalibrate_batch_norm(model, x):
    """Batch-norm running statistics from the images themselves (a forward pass in training
    mode, cumulative averages), as a trained network's are from its data: every BN output then
    has about zero mean and unit variance before its affine part, so activations keep a
    trained network's scale through all the layers. With random statistics they grow by
    orders of magnitude through ResNet-50's 16 blocks (to ~6000 at layer4), which no trained
    network does."""
    import torch
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    model.train()
    with torch.no_grad():
        model(torch.as_tensor(x))
    model.eval()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lbasim", required=True)
    ap.add_argument("--out", required=True, help="trace folder to write (replaced)")
    ap.add_argument("--model", default="resnet50", choices=torchvision_check.MODELS)
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    import numpy as np
    import torch
    torch.set_num_threads(2)
    x = synthetic_images(a.images, a.seed)
    model = torchvision_check.build(a.model, a.seed)
    recalibrate_batch_norm(model, x)
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path, x_path = os.path.join(tmp, "model.onnx"), os.path.join(tmp, "x.npy")
        np.save(x_path, x)
        torchvision_check.export(model, x, onnx_path, 13)
        r = subprocess.run([a.lbasim, "import", "onnx", onnx_path, "--inputs", x_path,
                            "--name", f"{a.model}-imagenet", "--out", a.out])
        if r.returncode:
            return r.returncode
    path = os.path.join(a.out, "manifest.json")
    with open(path) as f:
        m = json.load(f)
    m["network"]["description"] = (f"torchvision {a.model}, seeded random weights (seed "
                                   f"{a.seed}), batch-norm statistics of the images, "
                                   "ImageNet-shaped input 3x224x224")
    m["network"]["dataset"] = "none: synthetic images (no labels, no accuracy)"
    m["inputs"]["source"] = (f"{a.images} synthetic images: seeded Gaussian noise (seed "
                             f"{a.seed}), 3x3 box blur twice, normalized per channel")
    with open(path + ".tmp", "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Today's CNNs and a ViT through `lbasim import onnx`, checked against PyTorch (docs/onnx.md).

  PYTHONPATH=tools python3 -m lba.torchvision_check --lbasim build/sim/lbasim --work DIR \
      [--quick] [--images N] [--json OUT.json] [MODEL ...]

For each torchvision model (Debian's python3-torchvision, no download): build it with seeded
random weights, export it with torch.onnx, import it with `lbasim import onnx`, run the trace
with `lbasim run --config configs/fp32.json --wa none --dump-output` and compare with the
PyTorch float32 output of the same images:

    max |lbasim - pytorch| <= 1e-4 * max |pytorch|

(relative to the output's range: elementwise ratios are meaningless near zero). Exit status
0 if every model passes.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

MODELS = ("resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0",
          "vgg11_bn", "squeezenet1_1", "densenet121", "googlenet", "shufflenet_v2_x1_0",
          "convnext_tiny", "vit_b_16")
# The default run of ctest (tools/test.sh): small ones that cover the new ops between them
# (Concat and ceil_mode pools; HardSigmoid/HardSwish-style Mul; Transpose, Split, Reshape).
QUICK = ("squeezenet1_1", "mobilenet_v3_small", "shufflenet_v2_x1_0")
RTOL = 1e-4
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build(name, seed):
    """The torchvision model with seeded random weights, in eval mode. Torchvision's own
    initialization is kept except where it would make the check blind: zero-initialized
    weights (ViT's head) and the identity statistics of fresh batch norms are randomized."""
    import torch
    import torchvision
    torch.manual_seed(seed)
    kw = {"aux_logits": False, "init_weights": True} if name == "googlenet" else {}
    model = getattr(torchvision.models, name)(weights=None, **kw)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                c = mod.num_features
                mod.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                mod.running_var.copy_(torch.rand(c, generator=g) + 0.5)
                mod.weight.copy_(torch.rand(c, generator=g) + 0.5)
                mod.bias.copy_(torch.randn(c, generator=g) * 0.1)
        for p in model.parameters():
            if p.dim() > 1 and not p.any():
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)
    return model.eval()


def export(model, x, path, opset):
    import torch
    # Not under no_grad: there, nn.MultiheadAttention (vit_b_16) takes its fused fast path,
    # which torch.onnx 1.13 cannot export.
    torch.onnx.export(model, torch.as_tensor(x), path, opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})


def run(cmd, log):
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    log.write(f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}({time.time() - t0:.1f} s, exit "
              f"{r.returncode})\n")
    log.flush()
    return r, time.time() - t0


def check(name, lbasim, work, images, seed, opset, keep):
    import numpy as np
    import torch
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((images, 3, 224, 224), generator=g).numpy()
    np.save(os.path.join(d, "x.npy"), x)
    t0 = time.time()
    model = build(name, seed)
    with torch.no_grad():
        ref = model(torch.as_tensor(x)).numpy()
    export(model, x, os.path.join(d, "model.onnx"), opset)
    del model
    t_export = time.time() - t0
    with open(os.path.join(d, "log.txt"), "w") as log:
        r, t_import = run([lbasim, "import", "onnx", os.path.join(d, "model.onnx"), "--inputs",
                           os.path.join(d, "x.npy"), "--out", os.path.join(d, "trace")], log)
        if r.returncode != 0:
            return {"model": name, "ok": False, "why": f"import exit {r.returncode}: "
                    + (r.stderr.strip().splitlines() or ["?"])[-1][:400]}
        out = os.path.join(d, "out.npy")
        r, t_run = run([lbasim, "run", "--trace", os.path.join(d, "trace"), "--config",
                        os.path.join(ROOT, "configs", "fp32.json"), "--wa", "none", "--quiet",
                        "--threads", "2", "--dump-output", out, "--out",
                        os.path.join(d, "run.json")], log)
        if r.returncode != 0:
            return {"model": name, "ok": False, "why": f"run exit {r.returncode}: "
                    + (r.stderr.strip().splitlines() or ["?"])[-1][:400]}
    y = np.load(out)
    manifest = json.load(open(os.path.join(d, "trace", "manifest.json")))
    err = float(np.abs(y.astype(np.float64) - ref).max()) if y.shape == ref.shape else None
    scale = float(np.abs(ref).max())
    res = {"model": name, "ok": err is not None and err <= RTOL * scale,
           "max_abs_error": err, "max_abs_output": scale,
           "relative": None if err is None else err / scale, "images": images,
           "ops": len(manifest["graph"]), "version": manifest["version"],
           "macs_per_image": manifest["network"]["macs_per_image"],
           "seconds": {"build_export": round(t_export, 1), "import": round(t_import, 1),
                       "run": round(t_run, 1)}}
    if err is None:
        res["why"] = f"output shape {list(y.shape)}, PyTorch {list(ref.shape)}"
    if not keep:
        shutil.rmtree(d, ignore_errors=True)
    return res


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="*", help=f"default: all twelve ({', '.join(MODELS)})")
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    ap.add_argument("--lbasim", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--images", type=int, default=1,
                    help="random 224x224 images per model (the FP32 run without W/A quantization "
                         "is the golden model's: about 20 M MAC/s per core)")
    ap.add_argument("--only-if-env", metavar="VAR",
                    help="exit 77 (skipped) unless the environment variable VAR is set")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--keep", action="store_true", help="keep each model's files")
    ap.add_argument("--json", help="write the results here")
    a = ap.parse_args(argv)
    if a.only_if_env and not os.environ.get(a.only_if_env):
        print(f"skipped: set {a.only_if_env}=1 to run (docs/onnx.md)")
        return 77
    models = a.models or (QUICK if a.quick else MODELS)
    for m in models:
        if m not in MODELS:
            sys.exit(f"unknown model {m!r}; expected some of {', '.join(MODELS)}")
    import torch  # (seconds: not before the --only-if-env check)
    torch.set_num_threads(2)
    results = []
    for m in models:
        res = check(m, a.lbasim, a.work, a.images, a.seed, a.opset, a.keep)
        results.append(res)
        rel = "-" if res.get("relative") is None else f"{res['relative']:.2e}"
        print(f"{m}: {'ok' if res['ok'] else 'FAIL'} max|diff|/max|y| {rel} "
              f"{res.get('why', '')} {res.get('seconds', '')}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    failed = [r["model"] for r in results if not r["ok"]]
    print(f"{len(results) - len(failed)} of {len(results)} models match PyTorch within "
          f"{RTOL} of the output's range" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

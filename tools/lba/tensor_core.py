"""DeepSeek-V3's FP8 accumulation experiment on lbasim (docs/tensor-core.md).

Random GEMMs C = A W with A [M x K], W [K x N] of FP8 e4m3 values, under the Hopper tensor-core
preset with and without promotion every 128 products, next to the paper's 12-bit FMAq chain;
errors against FP64 (numpy's float64 GEMM of the same operands). Every quantization and GEMM is
lbasim's own (`lbasim quantize`, `lbasim gemm`); this module only draws data, runs the CLI and
prints a Markdown table.

    cd tools && /usr/bin/python3 -m lba.tensor_core --lbasim ../build/sim/lbasim
    cd tools && /usr/bin/python3 -m lba.tensor_core --networks [--limit N] [--traces NAME...]

--networks runs the shipped traces (`lbasim run`) under each GPU preset and the paper's config
instead: top-1 and, per layer, SQNR and the accumulator's events.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (column title, config file relative to ROOT or the config itself, whether the operands are
# FP8 codes declared as fp8_e4m3, or real values scaled into the paper's accumulator range).
CONFIGS = [
    ("hopper_fp8", "configs/gpu/hopper_fp8.json", "codes"),
    ("hopper_fp8_promote128", "configs/gpu/hopper_fp8_promote128.json", "codes"),
    ("blackwell_fp8", "configs/gpu/blackwell_fp8.json", "codes"),
    # An FMAq chain with Hopper's accumulator (14 bits, truncating): the same width, one
    # rounding per product instead of one cut per term and one rounding per group of 32.
    ("chain M13E8 rtz", {"product": "fp32", "accumulator": "M13E8:rtz:subnormal:ieee:inf"},
     "codes"),
    ("paper M7E4 chunk 16", "configs/paper.json", "scaled"),
]

DISTRIBUTIONS = {
    # Zero-mean data: outputs cancel; errors relative to the output's range (docs/traces.md's
    # max relative error: max|c - r| / max|r|; mean: mean|c - r| / mean|r|).
    "gaussian": "A, W i.i.d. N(0, 1)",
    # Positive data: no cancellation, so every output is far from 0 and the elementwise
    # relative error |c - r| / |r| is meaningful (its max and mean over outputs).
    "uniform": "A, W i.i.d. U(0, 1)",
}


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}")
    return r.stdout


def fp8_codes(lbasim, work, name, x):
    """x quantized to e4m3 with the W/A scale rule, then divided by its scale: e4m3 codes."""
    raw, q, ev = (os.path.join(work, f"{name}{s}") for s in (".raw.npy", ".npy", ".json"))
    np.save(raw, x)
    run([lbasim, "quantize", "--format", "fp8_e4m3", "--scale", "auto", "--in", raw, "--out", q,
         "--events", ev])
    with open(ev) as f:
        scale = json.load(f)["scale_exp"]
    return np.ldexp(np.load(q), -scale)


def gemm(lbasim, work, a, w, config, declare):
    pa, pw, pc = (os.path.join(work, n) for n in ("a.npy", "w.npy", "c.npy"))
    np.save(pa, a)
    np.save(pw, w)
    cmd = [lbasim, "gemm", "--a", pa, "--b", pw, "--config", config, "--out", pc,
           "--events", pc + ".json"]
    if declare:
        cmd += ["--a-format", "fp8_e4m3", "--b-format", "fp8_e4m3"]
    run(cmd)
    with open(pc + ".json") as f:
        events = json.load(f)["events"]
    return np.load(pc), events


def errors(c, r, dist):
    d = np.abs(c - r)
    if dist == "uniform":
        rel = d / np.abs(r)
        return float(rel.max()), float(rel.mean())
    return float(d.max() / np.abs(r).max()), float(d.mean() / np.abs(r).mean())


def measure(lbasim, work, dist, m, k, n, seed):
    rng = np.random.default_rng([seed, k, 0 if dist == "gaussian" else 1])
    draw = (lambda s: rng.standard_normal(s)) if dist == "gaussian" else (lambda s: rng.random(s))
    a = fp8_codes(lbasim, work, "a", draw((m, k)))
    w = fp8_codes(lbasim, work, "w", draw((k, n)))
    ref = a @ w  # FP64
    # The paper's formats have a fixed range (accumulator below 2^6, products from 2^-11): its
    # operands are the same codes times 2^-t, the smallest t that keeps every exact output
    # within 32 (as large as its accumulator allows, so that products underflow least).
    t = int(np.ceil(np.log2(np.abs(ref).max() / 32) / 2))
    row = {}
    for title, cfg, kind in CONFIGS:
        if isinstance(cfg, dict):
            path = os.path.join(work, "config.json")
            with open(path, "w") as f:
                json.dump(cfg, f)
            cfg = path
        if kind == "codes":
            c, ev = gemm(lbasim, work, a, w, os.path.join(ROOT, cfg), True)
            row[title] = errors(c, ref, dist) + (ev,)
        else:
            c, ev = gemm(lbasim, work, np.ldexp(a, -t), np.ldexp(w, -t), os.path.join(ROOT, cfg),
                         False)
            row[title] = errors(c, np.ldexp(ref, -2 * t), dist) + (ev,)
    return row


NETWORK_CONFIGS = ["configs/fp32.json", "configs/paper.json", "configs/gpu/hopper_fp8.json",
                   "configs/gpu/hopper_fp8_promote128.json", "configs/gpu/hopper_fp16.json",
                   "configs/gpu/blackwell_fp8.json", "configs/gpu/ada_fp8.json"]


TRACES = ("mlp-fmnist", "resnet-fmnist", "vit-fmnist")


def networks(args, traces=TRACES):
    """Top-1 and per-layer SQNR / events of the shipped traces under each config."""
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for trace in traces:
            reports = {}
            for cfg in NETWORK_CONFIGS:
                name = os.path.splitext(os.path.basename(cfg))[0]
                out = os.path.join(work, f"{trace}-{name}.json")
                run([args.lbasim, "run", "--trace", os.path.join(ROOT, "traces", "data", trace),
                     "--config", os.path.join(ROOT, cfg), "--limit", str(args.limit), "--quiet",
                     "--out", out])
                with open(out) as f:
                    reports[name] = json.load(f)
            results[trace] = reports
            first = next(iter(reports.values()))
            print(f"\n{trace}, {first['images']} images (W/A per the manifest, M4E3); top-1 "
                  f"(FP32 reference {first['fp32_reference_top1']:.4f}) and agreement with it:\n")
            print("| config | top-1 | agreement |")
            print("|---|---|---|")
            for name, r in reports.items():
                print(f"| {name} | {r['top1']:.4f} | {r['agreement_with_fp32']:.4f} |")
            print(f"\n{trace} per layer: SQNR dB vs the FP32 reference / swamped per product / "
                  "align_inexact per product (accumulator stage):\n")
            print("| layer | " + " | ".join(reports) + " |")
            print("|---|" + "---|" * len(reports))
            for li, layer in enumerate(first["layers"]):
                cells = []
                for r in reports.values():
                    lr = r["layers"][li]
                    acc, ops = lr["events"]["accumulator"], lr["events"]["product"]["ops"]
                    sqnr = lr["error"]["sqnr_db"]
                    sqnr = "exact" if sqnr is None else f"{sqnr:.1f}"
                    cells.append(f"{sqnr} / {acc['swamped'] / ops:.2%} / "
                                 f"{acc['align_inexact'] / ops:.2%}")
                print(f"| {layer['name']} | " + " | ".join(cells) + " |", flush=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lbasim", default=os.path.join(ROOT, "build", "sim", "lbasim"))
    ap.add_argument("--m", type=int, default=128)
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--ks", default="512,1024,2048,4096,8192,16384")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="also write every figure and event count here")
    ap.add_argument("--networks", action="store_true",
                    help="the shipped traces under each GPU preset instead (lbasim run)")
    ap.add_argument("--limit", type=int, default=0, help="--networks: images (0: all)")
    ap.add_argument("--traces", nargs="+", choices=TRACES, default=list(TRACES),
                    help="--networks: which shipped traces (traces/data/NAME)")
    args = ap.parse_args()
    if args.networks:
        results = networks(args, args.traces)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)
        return
    ks = [int(x) for x in args.ks.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for dist, text in DISTRIBUTIONS.items():
            metric = ("elementwise |c - r| / |r|" if dist == "uniform"
                      else "max|c - r| / max|r| and mean|c - r| / mean|r|")
            print(f"\n{text}, quantized to e4m3 per tensor ({metric}); "
                  f"M = {args.m}, N = {args.n}, seed {args.seed}. max / mean relative error:\n")
            titles = [c[0] for c in CONFIGS]
            print("| K | " + " | ".join(titles) + " |")
            print("|---|" + "---|" * len(titles))
            for k in ks:
                row = measure(args.lbasim, work, dist, args.m, k, args.n, args.seed)
                results[f"{dist}/{k}"] = row
                cells = [f"{row[t][0]:.2e} / {row[t][1]:.2e}" for t in titles]
                print(f"| {k} | " + " | ".join(cells) + " |", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

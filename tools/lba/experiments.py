#!/usr/bin/python3
"""The fine-tuning experiments of docs/finetune.md, resumable (a finished step's JSON is kept).

  PYTHONPATH=tools /usr/bin/python3 -m lba.experiments zeroshot --lbasim build-ft/sim/lbasim [--resnet-images N]
  PYTHONPATH=tools /usr/bin/python3 -m lba.experiments zeroshot --nets vit --lbasim build/sim/lbasim
  PYTHONPATH=tools /usr/bin/python3 -m lba.experiments resnet   --lbasim build-ft/sim/lbasim
  PYTHONPATH=tools /usr/bin/python3 -m lba.experiments mlp      --lbasim build-ft/sim/lbasim
  PYTHONPATH=tools /usr/bin/python3 -m lba.experiments vit      --lbasim build/sim/lbasim
  PYTHONPATH=tools /usr/bin/python3 -m lba.experiments table    # markdown tables of what has finished

Inputs: the full 10000-image traces (tools/build_full_trace build-ft/traces); the ViT: the
shipped 1000-image trace traces/data/vit-fmnist (--vit-trace). Outputs under
--work (default build-ft/experiments): one JSON per step, fine-tuned traces, lbasim reports.
Every fine-tuned trace is re-run with `lbasim run`; a top-1 differing from the script's is an
error.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"

ZERO_SHOT = [  # (label, config)
    ("FP32 accumulator (W/A FP8)", "configs/fp32.json"),
    ("M10E5, chunk 16", "configs/finetune/m10e5_c16.json"),
    ("M9E5, chunk 16", "configs/finetune/m9e5_c16.json"),
    ("M8E5, chunk 16", "configs/finetune/m8e5_c16.json"),
    ("M7E5, chunk 16", "configs/finetune/m7e5_c16.json"),
    ("M6E5, chunk 16", "configs/finetune/m6e5_c16.json"),
    ("M7E4 (b12/b10), chunk 4", "configs/finetune/m7e4_c4.json"),
    ("M7E4 (b12/b10), chunk 16", "configs/finetune/m7e4_c16.json"),
    ("M7E4 (b12/b10), chunk 64", "configs/finetune/m7e4_c64.json"),
    ("M7E4 (b12/b10), no chunking", "configs/finetune/m7e4_c0.json"),
]


def p(*parts):
    return os.path.join(ROOT, *parts)


def run(cmd):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)  # run the script itself under nice


def lbasim_run(lbasim, trace, config, out, limit=0):
    if not os.path.exists(out):
        cmd = [lbasim, "run", "--trace", trace, "--config", config, "--out", out, "--quiet",
               "--threads", "2"]
        if limit:
            cmd += ["--limit", str(limit)]
        run(cmd)
    with open(out) as f:
        return json.load(f)


def finetune_and_check(args, name, trace, config, estimator, seed, extra):
    work = os.path.join(args.work, name)
    summary_path = work + ".json"
    if not os.path.exists(summary_path):
        run([PY, "-m", "lba.finetune", "--trace", trace, "--config", config,
             "--estimator", estimator, "--seed", str(seed), "--out", work + "-trace",
             "--json", summary_path, "--threads", str(args.threads), *extra])
    with open(summary_path) as f:
        s = json.load(f)
    rep = lbasim_run(args.lbasim, work + "-trace", config, work + "-lbasim.json")
    s["lbasim_top1"] = rep["top1"]
    s["lbasim_fp32_reference_top1"] = rep["fp32_reference_top1"]
    if rep["top1"] != s["finetuned_top1"] or rep["images"] != s["eval_images"]:
        sys.exit(f"{name}: lbasim run top-1 {rep['top1']} on {rep['images']} images, script "
                 f"{s['finetuned_top1']} on {s['eval_images']}: they must be equal")
    return s


def zeroshot(args):
    out = {}
    for net in args.nets:
        trace = args.vit_trace if net == "vit" else p("build-ft", "traces", f"{net}-fmnist-full")
        for label, cfg in ZERO_SHOT:
            tag = os.path.splitext(os.path.basename(cfg))[0]
            rep = lbasim_run(args.lbasim, trace, p(cfg),
                             os.path.join(args.work, f"zeroshot-{net}-{tag}.json"),
                             args.resnet_images if net == "resnet" else 0)
            out[f"{net}/{label}"] = {"top1": rep["top1"], "images": rep["images"],
                                     "fp32_reference_top1": rep["fp32_reference_top1"]}
            print(f"{net} {label}: {rep['top1']:.4f} ({rep['images']} images)", flush=True)
        if net == "resnet" and args.resnet_only:
            break
    return out


def resnet(args):
    trace = p("build-ft", "traces", "resnet-fmnist-full")
    return finetune_and_check(args, "ft-resnet-m7e4-c16-ste", trace,
                              p("configs", "finetune", "m7e4_c16.json"), "ste", 0,
                              ["--train-count", str(args.train_count), "--epochs", "1", "1",
                               "--lr", str(args.lr), "--skip-zero-shot",
                               "--eval-count", str(args.resnet_images)])


def mlp(args):
    trace = p("build-ft", "traces", "mlp-fmnist-full")
    res = {}
    for seed in range(args.seeds):
        for est in ("ste", "immediate", "recursive"):
            s = finetune_and_check(args, f"ft-mlp-acc8-{est}-s{seed}", trace,
                                   p("configs", "finetune", "acc8_m3e4_c16.json"), est, seed,
                                   ["--train-count", str(args.train_count), "--epochs", "1", "1",
                                    "--lr", str(args.lr)])
            res.setdefault(est, []).append(s)
    return res


def vit(args):
    """The ViT (shipped trace, its 1000 test images) under the paper config, STE."""
    return finetune_and_check(args, "ft-vit-m7e4-c16-ste", args.vit_trace,
                              p("configs", "finetune", "m7e4_c16.json"), "ste", 0,
                              ["--train-count", str(args.train_count), "--epochs", "1", "1",
                               "--lr", str(args.lr)])


def table(args):
    w = args.work
    names = {"resnet": "ResNet", "mlp": "MLP", "vit": "ViT"}
    lines = ["| accumulator | " + " | ".join(f"{names[n]} top-1 | images" for n in args.nets)
             + " |", "|---|" + "---|---|" * len(args.nets)]
    ref = {}
    for label, cfg in ZERO_SHOT:
        tag = os.path.splitext(os.path.basename(cfg))[0]
        row = [label]
        for net in args.nets:
            f = os.path.join(w, f"zeroshot-{net}-{tag}.json")
            if os.path.exists(f):
                r = json.load(open(f))
                row += [f"{r['top1']:.4f}", str(r["images"])]
                ref[net] = (r["fp32_reference_top1"], r["images"])
            else:
                row += ["-", "-"]
        lines.append("| " + " | ".join(row) + " |")
    lines.insert(2, "| FP32 reference (no W/A quantization) | " + " | ".join(
        f"{ref[n][0]:.4f} | {ref[n][1]}" if n in ref else "- | -" for n in args.nets) + " |")
    print("\n".join(lines))
    print()
    for name in sorted(os.listdir(w)):
        if name.startswith("ft-") and name.endswith(".json") and not name.endswith("-lbasim.json"):
            s = json.load(open(os.path.join(w, name)))
            lb = os.path.join(w, name[:-5] + "-lbasim.json")
            lbt = json.load(open(lb))["top1"] if os.path.exists(lb) else None
            print(f"{name[:-5]}: zero-shot {s.get('zero_shot_top1')}, fine-tuned "
                  f"{s['finetuned_top1']:.4f}, lbasim run {lbt}, train {s['train_seconds']:.0f} s")
    groups = {}
    for name in sorted(os.listdir(w)):
        if name.startswith("ft-mlp-") and name.endswith(".json") and "-lbasim" not in name:
            est = name.split("-")[3]
            s = json.load(open(os.path.join(w, name)))
            groups.setdefault(est, []).append(s["finetuned_top1"])
    for est, v in groups.items():
        sd = statistics.stdev(v) if len(v) > 1 else 0.0
        print(f"mlp {est}: n={len(v)} mean {statistics.mean(v):.4f} std {sd:.4f} "
              f"min {min(v):.4f} max {max(v):.4f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("what", choices=("zeroshot", "resnet", "mlp", "vit", "table"))
    ap.add_argument("--nets", nargs="+", choices=("resnet", "mlp", "vit"),
                    default=["resnet", "mlp"], help="zeroshot and table: the networks")
    ap.add_argument("--vit-trace", default=p("traces", "data", "vit-fmnist"),
                    help="the ViT trace (zero-shot and fine-tuning on all its images)")
    ap.add_argument("--lbasim", default=p("build-ft", "sim", "lbasim"))
    ap.add_argument("--work", default=p("build-ft", "experiments"))
    ap.add_argument("--resnet-images", type=int, default=2000,
                    help="ResNet: first N test images for zero-shot and fine-tuned top-1 (0: all "
                         "10000); the MLP always uses all")
    ap.add_argument("--resnet-only", action="store_true", help="zeroshot: skip the MLP")
    ap.add_argument("--train-count", type=int, default=6000)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    result = {"zeroshot": zeroshot, "resnet": resnet, "mlp": mlp, "vit": vit,
              "table": table}[args.what](args)
    if result is not None:
        with open(os.path.join(args.work, f"{args.what}.json"), "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()

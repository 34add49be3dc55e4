"""The GEMMs of a Llama-like transformer block under lbasim's accumulator configs (docs/llm.md).

  PYTHONPATH=tools /usr/bin/python3 -m lba.llm_gemms --lbasim build/sim/lbasim --work DIR \\
      [--tokens 32] [--columns 256] [--json OUT.json]

Shapes of Llama-2-7B (hidden 4096, MLP 11008, 32 heads of 128): the q/k/v/o projections
(K = 4096), the gate/up projections (K = 4096, N = 11008), the down projection (K = 11008),
and one head's attention products Q K^T (K = 128) and P V (K = tokens). Weights are N(0, 0.02)
(the scale of trained LLM weights); `--columns` of the N outputs are simulated (outputs are
i.i.d. over columns, so a sample of them gives the statistics; the K of every dot product is
the full one). Activations, per token, in two regimes:

- `gaussian`: N(0, 1) in every channel (a normalized hidden state without outliers);
- `outliers`: the same with 6 fixed channels 100 times larger. LLM.int8() (Dettmers et al.,
  NeurIPS 2022, arXiv 2208.07339) finds the large-magnitude features of 6.7B-parameter
  transformers concentrated in about 6 hidden dimensions, in most layers and tokens;
  SmoothQuant (Xiao et al., ICML 2023, arXiv 2211.10438) reports such channels about 100 times
  larger than the other activations, in fixed channels across tokens.

W and A are W/A-quantized to M4E3 with per-tensor power-of-two scales by the one scale rule
(`lbasim quantize --scale auto`), then `lbasim gemm` runs each config. Reported per GEMM and
config: SQNR and max relative error (max |C - R| / max |R|) against R = the exact (float64)
product of the same quantized operands (the accumulator's own error), the SQNR against the
unquantized float64 product (W/A quantization included), and the events of each stage.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HIDDEN, FFN, HEAD = 4096, 11008, 128
OUTLIER_CHANNELS, OUTLIER_SCALE, WEIGHT_STD = 6, 100.0, 0.02
CONFIGS = [  # (label, config file relative to the repository)
    ("fp32", "configs/fp32.json"),
    ("fp16", "configs/fp16.json"),
    ("bf16 (fp32 product)", "configs/bf16.json"),
    ("M10E5, chunk 16", "configs/finetune/m10e5_c16.json"),
    ("M7E5, chunk 16", "configs/finetune/m7e5_c16.json"),
    ("M7E4 b12/b10, chunk 16 (paper)", "configs/paper.json"),
    ("M7E4 b12/b10, chunk 64", "configs/finetune/m7e4_c64.json"),
    ("M7E4 b12/b10, no chunk", "configs/finetune/m7e4_c0.json"),
    ("M3E4b8 (8 bits), chunk 16", "configs/finetune/acc8_m3e4_c16.json"),
]
# The fused tensor-core presets (configs/gpu, issue 18) are added when they exist.
GPU_CONFIGS = [("Hopper FP8 wgmma (g 32, F 13)", "configs/gpu/hopper_fp8.json"),
               ("Hopper FP8, promote every 128", "configs/gpu/hopper_fp8_promote128.json")]


def activations(rng, tokens, channels, regime):
    a = rng.standard_normal((tokens, channels))
    if regime == "outliers":
        idx = rng.choice(channels, OUTLIER_CHANNELS, replace=False)
        a[:, idx] *= OUTLIER_SCALE
    return a


def problems(tokens, columns, seed):
    """[(gemm, regime, A [M, K], W [K, N])]: the block's GEMMs with sampled columns."""
    rng = np.random.default_rng(seed)
    out = []
    for regime in ("gaussian", "outliers"):
        for name, k, n in (("q/k/v/o proj", HIDDEN, HIDDEN), ("gate/up proj", HIDDEN, FFN),
                           ("down proj", FFN, HIDDEN)):
            a = activations(rng, tokens, k, regime)
            w = rng.standard_normal((k, min(columns, n))) * WEIGHT_STD
            out.append((f"{name} K={k} N={n}", regime, a, w))
    # one head's attention: Q K^T / sqrt(d), then P V (P: softmax rows)
    q = rng.standard_normal((tokens, HEAD))
    kt = rng.standard_normal((HEAD, tokens))
    s = q @ kt / math.sqrt(HEAD)
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    out.append((f"Q K^T K={HEAD}", "gaussian", q / math.sqrt(HEAD), kt))
    out.append((f"P V K={tokens}", "softmax", p, rng.standard_normal((tokens, HEAD))))
    return out


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout}{r.stderr}")


def quantize(lbasim, work, name, x):
    src, dst = os.path.join(work, f"{name}.npy"), os.path.join(work, f"{name}.q.npy")
    np.save(src, x)
    run([lbasim, "quantize", "--format", "M4E3", "--scale", "auto", "--in", src, "--out", dst])
    return dst, np.load(dst)


def sqnr(c, r):
    noise = float(((c - r) ** 2).sum())
    return math.inf if noise == 0 else 10 * math.log10(float((r ** 2).sum()) / noise)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lbasim", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--columns", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the results here")
    a = ap.parse_args(argv)
    os.makedirs(a.work, exist_ok=True)
    configs = CONFIGS + [c for c in GPU_CONFIGS if os.path.exists(os.path.join(ROOT, c[1]))]
    results = []
    for i, (gemm, regime, x, w) in enumerate(problems(a.tokens, a.columns, a.seed)):
        pa, qa = quantize(a.lbasim, a.work, f"a{i}", x)
        pw, qw = quantize(a.lbasim, a.work, f"w{i}", w)
        exact, unq = qa @ qw, x @ w
        row = {"gemm": gemm, "regime": regime, "m": x.shape[0], "k": x.shape[1],
               "n": w.shape[1], "configs": {}}
        for label, cfg in configs:
            out, ev = os.path.join(a.work, "c.npy"), os.path.join(a.work, "ev.json")
            run([a.lbasim, "gemm", "--a", pa, "--b", pw, "--config", os.path.join(ROOT, cfg),
                 "--out", out, "--events", ev, "--threads", str(a.threads)])
            c = np.load(out)
            with open(ev) as f:
                events = json.load(f)
            row["configs"][label] = {
                "config": cfg, "sqnr_db": sqnr(c, exact),
                "max_rel_error": float(np.abs(c - exact).max() / np.abs(exact).max()),
                "sqnr_vs_unquantized_db": sqnr(c, unq), "events": events}
            print(f"{gemm} [{regime}] {label}: SQNR {sqnr(c, exact):.1f} dB", flush=True)
        results.append(row)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"tokens": a.tokens, "columns": a.columns, "seed": a.seed,
                       "results": results}, f, indent=1, default=str)
    print_tables(results, [c[0] for c in configs])
    return 0


def fmt_db(v):
    return "exact" if v == math.inf else f"{v:.1f}"


def print_tables(results, labels):
    """Markdown: SQNR per GEMM and config; then the accumulator events of each config."""
    head = "| GEMM | activations | " + " | ".join(labels) + " |"
    print(head + "\n|" + "---|" * (len(labels) + 2))
    for r in results:
        cells = [fmt_db(r["configs"][lab]["sqnr_db"]) for lab in labels]
        print(f"| {r['gemm']} | {r['regime']} | " + " | ".join(cells) + " |")
    print()
    print("| GEMM | activations | config | max rel. error | SQNR incl. W/A (dB) | product "
          "underflow | accumulator overflow / underflow / swamped | chunk acc. overflow / "
          "underflow / swamped |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        for lab in labels:
            c = r["configs"][lab]
            e = c["events"]["events"]
            prod, acc, ch = e["product"], e["accumulator"], e["chunk_accumulator"]

            def frac(stage, key):
                return f"{stage[key] / max(1, stage['ops']):.2%}"
            print(f"| {r['gemm']} | {r['regime']} | {lab} | {c['max_rel_error']:.2e} | "
                  f"{fmt_db(c['sqnr_vs_unquantized_db'])} | {frac(prod, 'underflow')} | "
                  + " / ".join(frac(acc, k) for k in ("overflow", "underflow", "swamped"))
                  + " | " + " / ".join(frac(ch, k) for k in ("overflow", "underflow", "swamped"))
                  + " |")

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

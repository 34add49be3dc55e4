"""The Python scale rule (lba.export.scale_exp) equals the C++ one (num::choose_pow2_scale,
run through `lbasim quantize --scale auto --per-row`) on values one ulp around every boundary
fmt_max * 2^s, on random magnitudes and on the ends of double's range, for two W/A formats."""
import argparse
import json
import math
import os
import random
import subprocess
import sys

import numpy as np


def boundary_values(fmt_max):
    vals = []
    for s in range(-1080, 1030):
        try:
            b = math.ldexp(fmt_max, s)
        except OverflowError:
            continue
        if b == 0:
            continue
        vals += [b, math.nextafter(b, 0.0), math.nextafter(b, math.inf)]
    rng = random.Random(7)
    vals += [math.exp(rng.uniform(-700, 700)) for _ in range(2000)]
    vals += [5e-324, 2.2250738585072014e-308, sys.float_info.max, 1.0, 0.0]
    return [v for v in vals if v == 0 or (math.isfinite(v) and v > 0)]


def cpp_scales(lbasim, fmt, values, work):
    x = os.path.join(work, f"{fmt}_x.npy")
    np.save(x, np.array(values, dtype=np.float64).reshape(-1, 1))
    ev = os.path.join(work, f"{fmt}_events.json")
    subprocess.run([lbasim, "quantize", "--format", fmt, "--in", x,
                    "--out", os.path.join(work, f"{fmt}_q.npy"), "--scale", "auto", "--per-row",
                    "--events", ev], check=True)
    with open(ev) as f:
        return json.load(f)["scale_exp"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lbasim", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    from lba import export  # tools/ is on PYTHONPATH (CMakeLists.txt)
    os.makedirs(args.work, exist_ok=True)
    failures = 0
    # (format, its max): the paper's M4E3 (bias 3) and M3E4 (bias 7).
    for fmt, fmt_max in [("M4E3", export.WA_MAX), ("M3E4", 2.0 ** (15 - 7) * (2 - 2.0 ** -3))]:
        values = boundary_values(fmt_max)
        cpp = cpp_scales(args.lbasim, fmt, values, args.work)
        py = [export.scale_exp(v, fmt_max) for v in values]
        naive = [int(math.ceil(math.log2(v / fmt_max))) if v / fmt_max > 0 else c
                 for v, c in zip(values, cpp)]
        bad = [(v, p, c) for v, p, c in zip(values, py, cpp) if p != c]
        for v, p, c in bad[:10]:
            print(f"{fmt}: max|x| = {v!r}: Python scale_exp {p}, C++ {c}")
        failures += len(bad)
        # The values must discriminate: the uncorrected log2 rule gets some of them wrong.
        wrong_naive = sum(n != c for n, c in zip(naive, cpp))
        print(f"{fmt}: {len(values)} values, Python == C++ on {len(values) - len(bad)}; "
              f"the uncorrected ceil(log2) rule differs on {wrong_naive}")
        if wrong_naive == 0:
            print(f"{fmt}: the value set does not exercise the boundary correction")
            failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

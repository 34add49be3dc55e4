"""The power flow for one design and stimulus (docs/cost.md); `lbasim power --synthesize` runs
it per configuration, after writing the stimulus with the golden model's outputs.

  PYTHONPATH=tools /usr/bin/python3 -m lba.power.flow --stimulus DIR --work DIR --out R.json
      [--netlists DIR --name NAME]

Exit status 0 with R.json written, 1 on bad input, a missing tool (the message names the
Debian package) or a flow failure (a gate-level output that differs from the golden model
included); R.json is then not written."""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time

from .. import rtl
from . import gatesim, power, synth, timing, wrapper
from .toolchain import FlowError, LIBERTY, require_tools, versions

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))


def rtl_files(top):
    """Which RTL the design is made of (its module hierarchy and include files, lba.rtl): each
    file relative to the tree, with its git blob hash (the content, so a table row says which
    PE produced it)."""
    out = {}
    for rel in rtl.design_files(top):
        data = open(os.path.join(ROOT, rel), "rb").read()
        out[rel] = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    return out


def run_flow(stim_dir, work, log=print, zero_delay=False):
    stim = json.load(open(os.path.join(stim_dir, "stimulus.json")))
    design = stim["design"]
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    log(f"synthesizing {design['top']}")
    area = synth.synthesize(design, work)
    if area["cell_counts"].pop("_constants", None):
        raise FlowError(f"{area['netlist']}: constant nets left after mapping; OpenSTA would "
                        "propagate activity from them (docs/cost.md)")
    wrapper_v = os.path.join(work, "wrapper.v")
    with open(wrapper_v, "w") as f:
        f.write(wrapper.verilog(design))
    t1 = time.time()
    log("timing")
    tim = timing.critical_path(area["netlist"], wrapper_v, work)
    period = gatesim.sim_period_ns(tim["critical_path_ns"])
    t2 = time.time()
    log(f"gate-level simulation of {stim['cycles']} cycles at {period} ns")
    gatesim.simulate(design, area["netlist"], stim_dir, work, period, stim["cycles"],
                     stim["warmup"], zero_delay=zero_delay)
    checked = gatesim.check_outputs(design, stim_dir, work)
    tog = gatesim.toggles(work, stim_dir, period, stim["warmup"])
    t3 = time.time()
    log("power")
    classes = {}
    for cls, tag in ((1, "mac"), (0, "idle")):
        acts = gatesim.activities(tog, cls)
        if not acts:
            continue
        p = power.report(area["netlist"], wrapper_v, acts, work, tag)
        p["cycles"] = tog["cycles"][cls]
        p["mean_toggles_per_net"] = sum(a for a, _ in acts.values()) / max(1, len(acts))
        classes[tag] = p
    t4 = time.time()
    return {
        "design": {"top": design["top"], "rtl": rtl_files(design["top"]),
                   "params": synth.verilog_params(design)},
        "stimulus": {k: v for k, v in stim.items() if k != "design"},
        "area_um2": area["area_um2"], "cells": area["cells"],
        "flip_flops": area["flip_flops"], "cell_counts": area["cell_counts"],
        "timing": tim, "sim_period_ns": period,
        "gate_level_check": {"words_checked": checked, "mismatches": 0},
        "delays": "zero" if zero_delay else "cell specify delays (typical)",
        "power": classes,
        "seconds": {"synthesis": round(t1 - t0, 1), "timing": round(t2 - t1, 1),
                    "simulation": round(t3 - t2, 1), "power": round(t4 - t3, 1)},
        "tools": versions(),
    }


def main():
    ap = argparse.ArgumentParser(prog="python3 -m lba.power.flow",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--stimulus", required=True, help="folder written by lbasim power")
    ap.add_argument("--work", required=True, help="work folder (kept)")
    ap.add_argument("--out", required=True, help="result JSON")
    ap.add_argument("--netlists", help="copy the mapped netlist and OpenSTA scripts here")
    ap.add_argument("--name", help="file name stem in --netlists (default: the design)")
    ap.add_argument("--zero-delay", action="store_true",
                    help="simulate without the cells' delays (no glitches; for comparison)")
    args = ap.parse_args()
    try:
        if not os.path.isfile(os.path.join(args.stimulus, "stimulus.json")):
            raise FlowError(f"--stimulus {args.stimulus}: no stimulus.json; expected a folder "
                            "written by lbasim power --write-stimulus")
        require_tools()
        res = run_flow(args.stimulus, args.work,
                       log=lambda m: print(f"power flow: {m}", file=sys.stderr, flush=True),
                       zero_delay=args.zero_delay)
        if args.netlists:
            os.makedirs(args.netlists, exist_ok=True)
            stem = args.name or res["design"]["top"]
            for src, suffix in (("netlist.v", ".v"), ("wrapper.v", ".wrapper.v"),
                                ("timing.tcl", ".timing.tcl"), ("power_mac.tcl", ".power.tcl")):
                path = os.path.join(args.work, src)
                if os.path.isfile(path):
                    text = open(path).read().replace(args.work + "/", "")
                    if suffix != ".v":
                        text = text.replace("netlist.v", stem + ".v").replace(
                            "wrapper.v", stem + ".wrapper.v")
                    with open(os.path.join(args.netlists, stem + suffix), "w") as f:
                        f.write(text)
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        os.replace(tmp, args.out)
    except FlowError as e:
        print(f"power flow: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

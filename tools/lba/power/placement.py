"""Area and fmax of the two chunk lane placements (docs/cost.md "Chunk placement"): the
weight-stationary PE with its chunk lane ('pe', CHUNK_COLUMN=0) and without it ('column',
CHUNK_COLUMN=1), and the column-bottom chunk_lane that 'column' adds once per column, its
area divided over the R rows of the array. Yosys + OpenSTA as in the flow (lba.power.flow) on
the formats of the committed table's rows; no gate-level simulation and no power yet.

  PYTHONPATH=tools /usr/bin/python3 -m lba.power.placement --rows 16 m7e4 m3e4"""
import argparse
import json
import os
import sys
import tempfile

from .. import rtl
from . import synth, timing, wrapper
from .toolchain import FlowError, require_tools

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
TABLE = os.path.join(ROOT, "models", "cost", "data", "power_osu018.json")


def widths(fmt):
    p = rtl.format_params(fmt)
    return 1 + p["EXP"] + p["MAN"]


def ws_pe(f, chunk_lane):
    """rtl/pe/ws_pe.v, the ports of sim/power/pe_design.cpp."""
    return {"top": "ws_pe", "clocked": True, "unused_outputs": ["events"],
            "chunk_lane": chunk_lane,
            "formats": {"A": f["a"], "W": f["w"], "P": f["product"], "ACC": f["accumulator"],
                        "CACC": f["chunk_accumulator"]},
            "inputs": [["rst", 1], ["w_load", 1], ["w_in", widths(f["w"])], ["av_in", 1],
                       ["first_in", 1], ["restart_in", 1], ["a_in", widths(f["a"])],
                       ["pv_in", 1], ["ps_in", widths(f["accumulator"])],
                       ["co_in", widths(f["chunk_accumulator"])]],
            "outputs": [["av_out", 1], ["first_out", 1], ["restart_out", 1],
                        ["a_out", widths(f["a"])], ["pv_out", 1],
                        ["ps_out", widths(f["accumulator"])],
                        ["co_out", widths(f["chunk_accumulator"])]]}


def column_lane(f):
    """rtl/pe/chunk_lane.v as systolic_ws places it at a column bottom (combinational, between
    the last row's psum register and the output buffer)."""
    return {"top": "chunk_lane", "clocked": False, "unused_outputs": ["events"],
            "formats": {"ACC": f["accumulator"], "CACC": f["chunk_accumulator"]},
            "input_groups": ["ACC"],  # psum is an input of the lane: no rounding
            "inputs": [["add", 1], ["psum", widths(f["accumulator"])],
                       ["chunk_in", widths(f["chunk_accumulator"])]],
            "outputs": [["chunk_out", widths(f["chunk_accumulator"])]]}


def measure(design, work):
    os.makedirs(work, exist_ok=True)
    area = synth.synthesize(design, work)
    wrapper_v = os.path.join(work, "wrapper.v")
    with open(wrapper_v, "w") as f:
        f.write(wrapper.verilog(design))
    tim = timing.critical_path(area["netlist"], wrapper_v, work)
    return {"area_um2": area["area_um2"], "cells": area["cells"],
            "flip_flops": area["flip_flops"], "critical_path_ns": tim["critical_path_ns"],
            "fmax_mhz": tim["fmax_mhz"], "startpoint": tim["startpoint"],
            "endpoint": tim["endpoint"]}


def placements(row, rows, work):
    f = row["flow"]["stimulus_formats"]
    pe = measure(ws_pe(f, "pe"), os.path.join(work, row["name"] + "_pe"))
    col_pe = measure(ws_pe(f, "column"), os.path.join(work, row["name"] + "_column"))
    lane = measure(column_lane(f), os.path.join(work, row["name"] + "_lane"))
    per_pe = col_pe["area_um2"] + lane["area_um2"] / rows
    return {"config": row["name"], "rows": rows, "pe": pe, "column_pe": col_pe,
            "column_lane": lane,
            "column_area_um2_per_pe": round(per_pe, 1),
            "column_vs_pe_area": round(per_pe / pe["area_um2"], 4)}


def pe_rows():
    """The committed table's 1-stage WS 'pe' rows by name (their formats)."""
    with open(TABLE) as f:
        return {r["name"]: r for r in json.load(f)["configs"]
                if r.get("chunk_lane", "pe") == "pe" and r.get("stages", 1) == 1
                and r.get("dataflow", "ws") == "ws"}


def main():
    ap = argparse.ArgumentParser(prog="python3 -m lba.power.placement",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("configs", nargs="+", help="rows of the committed table (m7e4, m3e4, ...)")
    ap.add_argument("--rows", type=int, default=16, help="array height R (default 16)")
    ap.add_argument("--work", help="work folder (default: a temporary one)")
    args = ap.parse_args()
    try:
        if args.rows < 1:
            raise FlowError(f"--rows {args.rows}: expected an array height >= 1")
        table = pe_rows()
        for name in args.configs:
            if name not in table:
                raise FlowError(f"config '{name}': not a row of {TABLE}; expected one of "
                                + ", ".join(table))
        require_tools()
        with tempfile.TemporaryDirectory() as tmp:
            for name in args.configs:
                print(json.dumps(placements(table[name], args.rows, args.work or tmp)),
                      flush=True)
    except FlowError as e:
        print(f"placement: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

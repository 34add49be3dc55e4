"""A small weight-stationary array synthesized as a whole (docs/cost.md "The array as a
whole"): rtl/array/systolic_ws.v with R x C PEs (chunk lane 'pe'), mapped and timed like the
flow's PE (Yosys + OpenSTA, the same scripts, wrapper and Liberty), against what the cost
model assumes: R x C PEs synthesized alone, plus the C column-bottom chunk lanes. Area and
fmax only (no gate-level simulation or power).

  PYTHONPATH=tools /usr/bin/python3 -m lba.power.array --rows 2 --cols 2 m3e4"""
import argparse
import json
import os
import sys
import tempfile

from .. import rtl
from . import placement
from .toolchain import FlowError, require_tools

TOP = "lbasim_array_top"


def array_top(f, rows, cols, path):
    """A top module instantiating systolic_ws with its parameters (this Yosys cannot chparam
    the array: its delay_line instances are lost), the simulation-only event outputs left
    open so that synthesis removes their logic. Returns the design."""
    aw, ww = placement.widths(f["a"]), placement.widths(f["w"])
    sw, cw = placement.widths(f["accumulator"]), placement.widths(f["chunk_accumulator"])
    inputs = [["rst", 1], ["w_load", 1], ["w_row", 16], ["w_data", cols * ww],
              ["act_valid", rows], ["act_data", rows * aw], ["act_first", 1],
              ["act_restart", rows], ["top_valid", cols], ["top_psum", cols * sw],
              ["top_chunk", cols * cw], ["bottom_add", cols], ["bottom_chunk", cols * cw]]
    outputs = [["out_valid", cols], ["out_psum", cols * sw], ["out_chunk", cols * cw],
               ["out_value", cols * cw]]
    params = rtl.design_params({"A": f["a"], "W": f["w"], "P": f["product"],
                                "ACC": f["accumulator"], "CACC": f["chunk_accumulator"]}, "pe")
    params.update({"ROWS": rows, "COLS": cols})
    ports = [n for n, _ in inputs + outputs]
    lines = [f"module {TOP}(clk, {', '.join(ports)});", "  input wire clk;"]
    lines += [f"  input wire [{w - 1}:0] {n};" for n, w in inputs]
    lines += [f"  output wire [{w - 1}:0] {n};" for n, w in outputs]
    lines.append("  systolic_ws #(" + ", ".join(f".{k}({v})" for k, v in params.items()) + ") u (")
    lines.append("      " + ", ".join([".clk(clk)"] + [f".{n}({n})" for n in ports]
                                      + [".out_events()", ".pe_events()", ".pe_terms()"]) + ");")
    lines.append("endmodule")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return {"top": TOP, "clocked": True, "formats": {}, "extra_sources": [path],
            "inputs": inputs, "outputs": outputs, "params_of_array": params}


def compare(row, rows, cols, work):
    f = row["flow"]["stimulus_formats"]
    design = array_top(f, rows, cols, os.path.join(work, "array_top.v"))
    arr = placement.measure(design, os.path.join(work, "array"))
    pe = placement.measure(placement.ws_pe(f, "pe"), os.path.join(work, "pe"))
    lane = placement.measure(placement.column_lane(f), os.path.join(work, "lane"))
    # The activation skew registers: row r's word (valid, first, restart and the code)
    # delayed r cycles.
    skew_flip_flops = (3 + placement.widths(f["a"])) * sum(range(rows))
    model = rows * cols * pe["area_um2"] + cols * lane["area_um2"]
    return {"config": row["name"], "rows": rows, "cols": cols, "array": arr, "pe": pe,
            "column_lane": lane, "skew_flip_flops": skew_flip_flops,
            "pe_x_rc_um2": round(rows * cols * pe["area_um2"], 1),
            "pe_x_rc_plus_lanes_um2": round(model, 1),
            "array_vs_pe_x_rc": round(arr["area_um2"] / (rows * cols * pe["area_um2"]), 4),
            "array_vs_pe_x_rc_plus_lanes": round(arr["area_um2"] / model, 4),
            "array_vs_pe_fmax": round(arr["fmax_mhz"] / pe["fmax_mhz"], 4)}


def main():
    ap = argparse.ArgumentParser(prog="python3 -m lba.power.array",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("configs", nargs="+", help="rows of the committed table (m3e4, ...)")
    ap.add_argument("--rows", type=int, default=2, help="array rows R (default 2)")
    ap.add_argument("--cols", type=int, default=2, help="array columns C (default 2)")
    ap.add_argument("--work", help="work folder (default: a temporary one)")
    args = ap.parse_args()
    try:
        for name, v in (("--rows", args.rows), ("--cols", args.cols)):
            if not 1 <= v <= 16:
                raise FlowError(f"{name} {v}: expected 1 to 16")
        table = placement.pe_rows()
        for name in args.configs:
            if name not in table:
                raise FlowError(f"config '{name}': not a row of {placement.TABLE}; expected one "
                                "of " + ", ".join(table))
        require_tools()
        with tempfile.TemporaryDirectory() as tmp:
            for name in args.configs:
                print(json.dumps(compare(table[name], args.rows, args.cols,
                                         os.path.join(args.work or tmp, name))), flush=True)
    except FlowError as e:
        print(f"array: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

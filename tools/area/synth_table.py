#!/usr/bin/python3
"""Synthesizes the array's weight-stationary PE (rtl/pe/ws_pe.v, chunk-accumulator format =
accumulator format) for each accumulator configuration of tools/area/configs.json with Yosys,
maps it onto the NanGate45 subset (tools/area/nangate45_subset.lib) and writes the area table
(docs/cost.md). RTL files and Verilog parameters come from `python3 -m lba.rtl` (docs/rtl.md).

  /usr/bin/python3 tools/area/synth_table.py                  # all rows -> models/cost/data/area_45nm.json
  /usr/bin/python3 tools/area/synth_table.py --only m3e4,m7e4 --out /tmp/a.json
  /usr/bin/python3 tools/area/synth_table.py --netlists DIR --anchors   # also keep mapped netlists
                                                                        # (input of energy_table.py)
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AREA_DIR = os.path.join(ROOT, "tools", "area")
LIBERTY = os.path.join(AREA_DIR, "nangate45_subset.lib")
NAND2 = "NAND2_X1"
PE_TOP = "ws_pe"


def lba_rtl(*args):
    """stdout of `python3 -m lba.rtl ARGS` (the RTL's files and format parameters)."""
    run = subprocess.run([sys.executable, "-m", "lba.rtl", *args], capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tools")))
    if run.returncode != 0:
        raise ValueError(run.stderr.strip())
    return run.stdout.strip()


def read_rtl():
    """The Yosys command that reads the RTL (its files and `include folder)."""
    return (f"read_verilog -I{lba_rtl('include')} " + " ".join(lba_rtl("sources").split("\n")))


def format_params(prefix, fmt):
    """{NAME: value} of one format's Verilog parameters (prefix A, W, P, ACC, ...)."""
    return json.loads(lba_rtl("params", "--json", f"{prefix}={fmt}"))


def chparams(prefixes_formats):
    """`chparam -set` arguments for each (prefix, format)."""
    return lba_rtl("params", "--yosys", *(f"{p}={f}" for p, f in prefixes_formats))


def design_params(cfg, spec):
    """(top module, chparam string) of a table row or an anchor unit."""
    if "top" in cfg:  # a calibration anchor: one IEEE unit with all ports in one format
        f = cfg["format"]
        if cfg["top"] == "fp_add":
            return "fp_add", chparams([("X", f), ("Y", f), ("Z", f)])
        return "fp_mul", chparams([("A", f), ("W", f), ("P", f)])
    return PE_TOP, chparams([("A", spec["a"]), ("W", spec["w"]), ("P", cfg["product"]),
                             ("ACC", cfg["accumulator"]), ("CACC", cfg["accumulator"])])


def yosys_script(top, params, workdir):
    # 1. Flattened: the area table. 2. With fp_mul and fp_add kept as blocks, so that every
    # mapped cell can be attributed to multiply (incl. product rounding) / accumulate / chunk
    # add: the component breakdown and the netlist energy_table.py simulates. Block boundaries
    # cost area (no constant/width propagation across them), so run 2 is somewhat larger.
    return f"""
{read_rtl()}
chparam {params} {top}
hierarchy -top {top}
design -save rtl
synth -flatten -top {top}
select -assert-none t:$dlatch t:$_DLATCH_*
tee -q -o {workdir}/generic.txt stat
design -save generic
dffunmap
tee -q -o {workdir}/cmos.txt stat -tech cmos
design -load generic
dfflibmap -liberty {LIBERTY}
abc -liberty {LIBERTY}
opt_clean
tee -q -o {workdir}/mapped.txt stat -liberty {LIBERTY}
design -load rtl
setattr -mod -set keep_hierarchy 1 *fp_mul* *fp_add*
synth -flatten -top {top}
dfflibmap -liberty {LIBERTY}
abc -liberty {LIBERTY}
opt_clean
setattr -mod -unset keep_hierarchy *
flatten
opt_clean
tee -q -o {workdir}/blocks.txt stat -liberty {LIBERTY}
write_json {workdir}/mapped.json
"""


def liberty_areas():
    text = open(LIBERTY).read()
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"cell \((\w+)\) \{\s*area : ([0-9.]+);", text)}


def cell_counts(stat_text):
    """Cell type -> count from the last module listing of a `stat` report."""
    counts = {}
    block = stat_text[stat_text.rfind("Number of cells:"):]
    for line in block.splitlines()[1:]:
        m = re.fullmatch(r"\s+(\S+)\s+(\d+)", line)
        if not m:
            if counts:
                break
            continue
        counts[m.group(1)] = int(m.group(2))
    return counts


def component(cell_name, cell_type):
    """Which action a mapped cell serves, from its hierarchical (flattened) name."""
    name = cell_name.replace("\\", "")
    if cell_type.startswith("DFF"):
        return "registers"
    if "u_chunk." in name:  # before u_add: the chunk lane's adder is u_chunk.u_add
        return "chunk_add"
    if "u_mul." in name:
        return "multiply"
    if "u_add." in name:
        return "accumulate"
    return "control"  # register enables/resets, restart mux, chunk operand isolation


def synthesize(name, cfg, spec, keep_dir):
    top, params = design_params(cfg, spec)
    workdir = tempfile.mkdtemp(prefix=f"lbasim-area-{name}-")
    try:
        script = os.path.join(workdir, "synth.ys")
        with open(script, "w") as f:
            f.write(yosys_script(top, params, workdir))
        run = subprocess.run(["yosys", "-q", "-l", os.path.join(workdir, "yosys.log"), "-s",
                              script], capture_output=True, text=True)
        if run.returncode != 0:
            log = open(os.path.join(workdir, "yosys.log")).read()[-3000:]
            raise RuntimeError(f"yosys failed for {name}:\n{run.stderr}\n{log}")
        generic = cell_counts(open(os.path.join(workdir, "generic.txt")).read())
        cmos = open(os.path.join(workdir, "cmos.txt")).read()
        m = re.search(r"Estimated number of transistors:\s+(\d+)(\+?)", cmos)
        mapped_text = open(os.path.join(workdir, "mapped.txt")).read()
        mapped = cell_counts(mapped_text)
        area = float(re.search(r"Chip area for module .*: ([0-9.]+)", mapped_text).group(1))
        lib = liberty_areas()
        netlist = json.load(open(os.path.join(workdir, "mapped.json")))
        comps = {}
        for cname, cell in netlist["modules"][top]["cells"].items():
            c = component(cname, cell["type"])
            comps[c] = comps.get(c, 0.0) + lib[cell["type"]]
        if keep_dir:
            os.makedirs(keep_dir, exist_ok=True)
            shutil.copy(os.path.join(workdir, "mapped.json"),
                        os.path.join(keep_dir, f"{name}.json"))
        return {
            "generic_cells": sum(generic.values()),
            "transistors": int(m.group(1)),
            "transistors_complete": m.group(2) != "+",
            "mapped_cells": sum(mapped.values()),
            "flip_flops": mapped.get("DFF_X1", 0),
            "area_um2": round(area, 3),
            "nand2_eq": round(area / lib[NAND2], 1),
            "components_um2": {k: round(v, 3) for k, v in sorted(comps.items())},
            "components_area_um2": round(sum(comps.values()), 3),
            "mapped_cell_counts": mapped,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def synthesize_array(name, cfg, spec, shape):
    """The weight-stationary RTL array (rtl/array/systolic_ws.v, docs/systolic.md), mapped:
    PEs, skew registers and control; no SRAM buffers. Each PE is flattened and synthesized once
    (a fully flattened 4x4 FP32 array takes Yosys far too long); `stat` sums the instances."""
    rows, cols = (int(x) for x in shape.split("x"))
    params = chparams([("A", spec["a"]), ("W", spec["w"]), ("P", cfg["product"]),
                       ("ACC", cfg["accumulator"]), ("CACC", cfg["accumulator"])])
    workdir = tempfile.mkdtemp(prefix=f"lbasim-array-{name}-")
    try:
        script = os.path.join(workdir, "synth.ys")
        with open(script, "w") as f:
            f.write(f"""
{read_rtl()}
chparam -set ROWS {rows} -set COLS {cols} {params} systolic_ws
hierarchy -top systolic_ws
setattr -mod -set keep_hierarchy 1 *ws_pe*
synth -flatten
tee -q -o {workdir}/generic.txt stat
dfflibmap -liberty {LIBERTY}
abc -liberty {LIBERTY}
opt_clean
tee -q -o {workdir}/mapped.txt stat -liberty {LIBERTY}
""")
        run = subprocess.run(["yosys", "-q", "-l", os.path.join(workdir, "yosys.log"), "-s",
                              script], capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"yosys failed for the {shape} array of {name}:\n{run.stderr}")
        mapped_text = open(os.path.join(workdir, "mapped.txt")).read()
        mapped = cell_counts(mapped_text)
        area = float(re.search(r"Chip area for top module .*: ([0-9.]+)", mapped_text).group(1))
        return {"shape": shape, "generic_cells": sum(cell_counts(open(
                    os.path.join(workdir, "generic.txt")).read()).values()),
                "mapped_cells": sum(mapped.values()), "flip_flops": mapped.get("DFF_X1", 0),
                "area_um2": round(area, 3), "nand2_eq": round(area / liberty_areas()[NAND2], 1)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def yosys_version():
    return subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--configs", default=os.path.join(AREA_DIR, "configs.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "cost", "data",
                                                  "area_45nm.json"))
    ap.add_argument("--only", help="comma-separated row names (default: all)")
    ap.add_argument("--netlists", help="keep the mapped netlists (Yosys JSON) in this folder")
    ap.add_argument("--anchors", action="store_true",
                    help="also synthesize the IEEE calibration units (needs --netlists)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel Yosys runs (default 1)")
    ap.add_argument("--array", help="also synthesize the RxC RTL array (rtl/array) per row")
    ap.add_argument("--array-only", help="comma-separated rows for --array (default: all)")
    args = ap.parse_args()
    if shutil.which("yosys") is None:
        sys.exit("synth_table: yosys not found (Debian package yosys)")
    spec = json.load(open(args.configs))
    rows = spec["configs"]
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - {r["name"] for r in rows}
        if unknown:
            sys.exit(f"synth_table: --only: unknown rows {sorted(unknown)}; "
                     f"expected names from {args.configs}")
        rows = [r for r in rows if r["name"] in wanted]
    jobs = [(r["name"], r) for r in rows]
    if args.anchors:
        if not args.netlists:
            sys.exit("synth_table: --anchors needs --netlists")
        jobs += [(k, v) for k, v in spec["anchors"].items() if k != "comment"]

    def work(job):
        name, cfg = job
        print(f"synth_table: synthesizing {name}", file=sys.stderr, flush=True)
        res = synthesize(name, cfg, spec, args.netlists)
        wanted = args.array_only.split(",") if args.array_only else None
        if args.array and "top" not in cfg and (wanted is None or name in wanted):
            print(f"synth_table: synthesizing the {args.array} array of {name}", file=sys.stderr,
                  flush=True)
            res["array"] = synthesize_array(name, cfg, spec, args.array)
        return name, res

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = dict(pool.map(work, jobs))

    ref = results.get(spec["reference"])
    table = []
    for r in rows:
        res = results[r["name"]]
        row = {"name": r["name"], "label": r["label"],
               "formats": {"a": spec["a"], "w": spec["w"], "product": r["product"],
                           "accumulator": r["accumulator"],
                           "chunk_accumulator": r["accumulator"]}}
        row.update(res)
        if ref:
            row["ratio_to_fp32"] = round(res["area_um2"] / ref["area_um2"], 4)
        table.append(row)
    out = {
        "schema": "lbasim-area-1",
        "tool": yosys_version(),
        "design": "rtl/pe/ws_pe.v (rtl/fmaq fmaq + weight register + chunk lane)",
        "liberty": "tools/area/nangate45_subset.lib (NanGate45 OCL areas, X1 cells)",
        "nand2_um2": liberty_areas()[NAND2],
        "method": "yosys synth -flatten, stat -tech cmos after dffunmap; dfflibmap + abc "
                  "-liberty, stat -liberty; components from a second run keeping fp_mul/fp_add",
        # The ratio column's reference: fp32 when synthesized, else the first row.
        "reference": spec["reference"] if ref else table[0]["name"],
        "configs": table,
    }
    if args.anchors:
        out["anchors"] = {k: results[k] for k, v in spec["anchors"].items() if k != "comment"}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    os.replace(tmp, args.out)
    print(f"{'row':<8} {'cells':>7} {'transistors':>12} {'FFs':>5} {'area um2':>10} "
          f"{'NAND2eq':>8} {'vs fp32':>8}")
    for row in table:
        print(f"{row['name']:<8} {row['mapped_cells']:>7} {row['transistors']:>12} "
              f"{row['flip_flops']:>5} {row['area_um2']:>10.1f} {row['nand2_eq']:>8.0f} "
              f"{row.get('ratio_to_fp32', float('nan')):>8.3f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

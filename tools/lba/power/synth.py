"""Yosys: an RTL design mapped onto the osu018 cells, with plain net and cell names."""
import os
import re

from .. import rtl
from .toolchain import LIBERTY, FlowError, run


def verilog_params(design):
    """The design's Verilog parameters, from its formats by the RTL's one mapping (lba.rtl),
    with its chunk lane placement (CHUNK_COLUMN) and stages (STAGES) when the design names
    them, and its other parameters ("extra_params": fused_dot's G and F). Groups listed in
    "input_groups" are inputs of this module although their prefix is an output format
    elsewhere (chunk_lane's psum, ACC): no rounding or overflow parameters."""
    try:
        params = rtl.design_params(design["formats"], design.get("chunk_lane"),
                                   design.get("stages"))
    except rtl.FormatError as e:
        raise FlowError(f"{design['top']}: {e}") from e
    for group in design.get("input_groups") or []:
        params.pop(f"{group}_RNE", None)
        params.pop(f"{group}_INF", None)
    params.update({name: value for name, value in design.get("extra_params", [])})  # G, F
    return params


def script(design, workdir, liberty=LIBERTY):
    params = " ".join(f"-set {k} {v}" for k, v in verilog_params(design).items())
    top = design["top"]
    # Simulation-only outputs (event counters) stop being ports, so their logic is removed.
    unused = "".join(f"delete -port {top}/{p}\n" for p in design.get("unused_outputs", []))
    # Flat, mapped for area by ABC (the library's timing is used by OpenSTA afterwards); the
    # DFFs first (dfflibmap), enables become muxes (osu018 has no enable flip-flop). Internal
    # wires and cells are renamed n<i> / g<i> so that every tool reads the same plain names.
    # A generated top (an array with its parameters, lba.power.array) is read with the RTL and
    # has no parameters of its own.
    read = " ".join([rtl.yosys_read()] + design.get("extra_sources", []))
    chparam = f"chparam {params} {top}\n" if params else ""
    return f"""
{read}
{chparam}hierarchy -check -top {top}
{unused}synth -flatten -top {top}
select -assert-none t:$dlatch t:$_DLATCH_*
dfflibmap -liberty {liberty}
abc -liberty {liberty}
opt_clean -purge
rename -hide w:*
rename -enumerate -pattern n% w:*
rename -enumerate -pattern g% c:*
tee -q -o {workdir}/stat.txt stat -liberty {liberty}
write_verilog -noattr -noexpr -nohex -nodec {workdir}/netlist.v
"""


def synthesize(design, workdir, liberty=LIBERTY):
    """Returns the mapped netlist's path and its area report."""
    path = os.path.join(workdir, "synth.ys")
    with open(path, "w") as f:
        f.write(script(design, workdir, liberty))
    run(["yosys", "-q", "-s", path], workdir, "yosys.log")
    stat = open(os.path.join(workdir, "stat.txt")).read()
    area = float(re.search(r"Chip area for module .*: ([0-9.]+)", stat).group(1))
    counts = {}
    block = stat[stat.rfind("Number of cells:"):]
    for line in block.splitlines()[1:]:
        m = re.fullmatch(r"\s+(\S+)\s+(\d+)", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
        elif counts:
            break
    netlist = os.path.join(workdir, "netlist.v")
    if re.search(r"\.\w+\(1'b[01x]\)", open(netlist).read()):
        # Cell pins tied to constants would be roots of OpenSTA's activity propagation
        # (docs/cost.md); a constant output port (an unused event bit) is harmless.
        counts["_constants"] = 1
    return {"netlist": netlist, "area_um2": area, "cells": sum(counts.values()),
            "flip_flops": sum(v for k, v in counts.items() if k.startswith("DFF")),
            "cell_counts": counts}

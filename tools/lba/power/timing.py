"""OpenSTA: the design's critical path in the array (wrapper.py) and its fmax."""
import os
import re

from . import wrapper
from .toolchain import FlowError, LIBERTY, run

PERIOD_NS = 1000.0  # loose: the worst slack gives the critical path


def critical_path(netlist, wrapper_v, workdir, liberty=LIBERTY):
    tcl = os.path.join(workdir, "timing.tcl")
    with open(tcl, "w") as f:
        f.write(wrapper.sta_header(liberty, netlist, wrapper_v, PERIOD_NS))
        f.write("report_checks -path_delay max -digits 4 > timing_path.txt\n"
                "puts \"worst_slack [sta::worst_slack -max]\"\n")
    log = run(["sta", "-no_splash", "-exit", tcl], workdir, "timing.log")
    m = re.search(r"worst_slack (\S+)", log)
    if not m or "Error" in log:
        raise FlowError(f"OpenSTA timing failed, log {os.path.join(workdir, 'timing.log')}:\n"
                        + log[-2000:])
    path_ns = PERIOD_NS - float(m.group(1))
    report = open(os.path.join(workdir, "timing_path.txt")).read()
    start = re.search(r"Startpoint: (\S+)", report)
    end = re.search(r"Endpoint: (\S+)", report)
    setup = re.search(r"(-?[0-9.]+)\s+[0-9.]+\s+library setup time", report)
    return {"critical_path_ns": round(path_ns, 4), "fmax_mhz": round(1000.0 / path_ns, 3),
            "startpoint": start.group(1) if start else "",
            "endpoint": end.group(1) if end else "",
            "setup_ns": -float(setup.group(1)) if setup else 0.0,
            "stages": sum(1 for line in report.splitlines() if re.search(r"/Y \(|/YS \(|/YC \(",
                                                                         line))}

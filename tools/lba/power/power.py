"""OpenSTA report_power with the simulated activity of every net of the design."""
import os
import re

from . import wrapper
from .toolchain import FlowError, LIBERTY, run

REFERENCE_PERIOD_NS = 10.0  # power is converted to energy per cycle at this period


def vector_name(net):
    """VCD name 'n12[3]' -> OpenSTA net name inside the dut."""
    return "dut/" + net


def report(netlist, wrapper_v, acts, workdir, tag, liberty=LIBERTY):
    """Dynamic energy per cycle (internal, switching, pJ) and leakage (mW) of the dut's cells
    under activities {net: (toggles per cycle, duty)}."""
    tcl = os.path.join(workdir, f"power_{tag}.tcl")
    with open(tcl, "w") as f:
        f.write(wrapper.sta_header(liberty, netlist, wrapper_v, REFERENCE_PERIOD_NS))
        f.write("proc act {net a d} {\n"
                "  foreach p [get_pins -of_objects [get_nets $net]] {\n"
                "    sta::set_power_pin_activity $p $a $d\n  }\n}\n")
        for net, (a, d) in sorted(acts.items()):
            f.write(f"act {{{vector_name(net)}}} {a:.6g} {d:.6g}\n")
        f.write("set corner [sta::cmd_corner]\n"
                "set sums {0 0 0}\n"
                "foreach inst [get_cells dut/*] {\n"
                "  lassign [sta::instance_power $inst $corner] i s l t\n"
                "  lassign $sums si ss sl\n"
                "  set sums [list [expr $si + $i] [expr $ss + $s] [expr $sl + $l]]\n"
                "}\n"
                "puts \"dut_power $sums\"\n"
                "report_power -digits 6\n")
    log = run(["sta", "-no_splash", "-exit", tcl], workdir, f"power_{tag}.log")
    m = re.search(r"dut_power (\S+) (\S+) (\S+)", log)
    if not m or re.search(r"^Error", log, re.M):
        raise FlowError(f"OpenSTA power failed, log {os.path.join(workdir, f'power_{tag}.log')}"
                        f":\n{log[-2000:]}")
    internal, switching, leakage = (float(x) for x in m.groups())  # W
    t = REFERENCE_PERIOD_NS * 1e-9
    return {"internal_pj": internal * t * 1e12, "switching_pj": switching * t * 1e12,
            "leakage_mw": leakage * 1e3}

"""The power flow end to end on the M3E4 row (the CI configuration), with checks that can fail:
the gate-level outputs equal the golden model (and a swapped output bit is caught), a path
OpenSTA reports equals the Liberty table by hand, more toggles give more power, a missing
library names its Debian package. Exit 77 (skipped) when the flow's tools are not installed.

  PYTHONPATH=tools /usr/bin/python3 tests/power/test_power_flow.py --lbasim build/sim/lbasim \
      --work /tmp/power-test
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

from lba import rtl
from lba.power import gatesim, power, toolchain, wrapper

ARGS = None


def lbasim(*args, env=None):
    return subprocess.run([ARGS.lbasim, *args], capture_output=True, text=True, env=env)


class PowerFlowM3E4(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = os.path.join(ARGS.work, "flow")
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(ARGS.work, exist_ok=True)
        t0 = time.time()
        cls.flow_run = lbasim("power", "--synthesize", "--configs", "m3e4", "--cycles", "800",
                         "--work", cls.work, "--table-out", os.path.join(ARGS.work, "table.json"),
                         "--json", os.path.join(ARGS.work, "out.json"),
                         "--netlists", os.path.join(ARGS.work, "netlists"))
        cls.seconds = time.time() - t0
        print(f"m3e4 flow: {cls.seconds:.1f} s wall", file=sys.stderr)
        cls.stim = os.path.join(cls.work, "m3e4", "stimulus")
        cls.flow = os.path.join(cls.work, "m3e4", "work")

    def test_flow_writes_a_row_checked_against_the_golden_model(self):
        self.assertEqual(self.flow_run.returncode, 0, self.flow_run.stdout + self.flow_run.stderr)
        table = json.load(open(os.path.join(ARGS.work, "table.json")))
        row = table["configs"][0]
        self.assertEqual(row["name"], "m3e4")
        self.assertGreater(row["flow"]["gate_level_check"]["words_checked"], 1000)
        self.assertGreater(row["area_um2"], 0)
        self.assertGreater(row["fmax_mhz"], 0)
        self.assertGreater(row["mac"]["internal_pj"] + row["mac"]["switching_pj"],
                           row["idle"]["internal_pj"])
        # The array's own PE, read through lba.rtl: the row names the file's content.
        design = row["flow"]["design"]
        self.assertEqual(design["top"], "ws_pe")
        pe = subprocess.run(["git", "hash-object", os.path.join(rtl.RTL_DIR, "pe", "ws_pe.v")],
                            capture_output=True, text=True)
        if pe.returncode == 0:  # a source tree without git (a tarball) skips this comparison
            self.assertEqual(design["rtl"]["rtl/pe/ws_pe.v"], pe.stdout.strip())
        self.assertEqual(design["params"]["ACC_MAN"], 3)
        # The simulation-only events port is not synthesized.
        netlist = open(os.path.join(self.flow, "netlist.v")).read()
        self.assertNotIn("events", netlist)
        out = json.load(open(os.path.join(ARGS.work, "out.json")))
        self.assertAlmostEqual(out["clock_mhz"], row["fmax_mhz"])  # default: slowest fmax
        self.assertTrue(os.path.isfile(os.path.join(ARGS.work, "netlists", "m3e4.v")))
        self.assertIn("m3e4.v", open(os.path.join(ARGS.work, "netlists",
                                                  "m3e4.timing.tcl")).read())

    def test_a_swapped_output_bit_in_the_netlist_is_caught(self):
        design = json.load(open(os.path.join(self.stim, "stimulus.json")))["design"]
        gatesim.check_outputs(design, self.stim, self.flow)  # passes as synthesized
        bad = os.path.join(ARGS.work, "bad")
        os.makedirs(bad, exist_ok=True)
        text = open(os.path.join(self.flow, "netlist.v")).read()
        a, b = ".Q(ps_out[0])", ".Q(ps_out[1])"
        self.assertIn(a, text)
        self.assertIn(b, text)
        text = text.replace(a, "@@").replace(b, a).replace("@@", b)
        with open(os.path.join(bad, "netlist.v"), "w") as f:
            f.write(text)
        stim = json.load(open(os.path.join(self.stim, "stimulus.json")))
        gatesim.simulate(design, os.path.join(bad, "netlist.v"), self.stim, bad, 20.0,
                         stim["cycles"], stim["warmup"])
        with self.assertRaisesRegex(toolchain.FlowError, r"port ps_out: expected"):
            gatesim.check_outputs(design, self.stim, bad)

    def test_more_toggles_give_more_power(self):
        period = json.load(open(os.path.join(self.flow, "..", "result.json")))["sim_period_ns"]
        warm = json.load(open(os.path.join(self.stim, "stimulus.json")))["warmup"]
        acts = gatesim.activities(gatesim.toggles(self.flow, self.stim, period, warm), 1)
        netlist = os.path.join(self.flow, "netlist.v")
        wrapper_v = os.path.join(self.flow, "wrapper.v")
        results = []
        for scale in (0.0, 0.5, 1.0):
            scaled = {n: (a * scale, d) for n, (a, d) in acts.items()}
            results.append(power.report(netlist, wrapper_v, scaled, ARGS.work, f"x{scale}"))
        dyn = [r["internal_pj"] + r["switching_pj"] for r in results]
        self.assertEqual(results[0]["switching_pj"], 0.0)  # no data toggles: clock pins only
        self.assertGreater(dyn[0], 0.0)
        self.assertLess(dyn[0], dyn[1])
        self.assertLess(dyn[1], dyn[2])
        # activities go to OpenSTA with 6 significant digits
        self.assertLess(abs(results[1]["switching_pj"] * 2 - results[2]["switching_pj"]),
                        1e-5 * results[2]["switching_pj"])

    def test_missing_library_names_the_debian_package_and_writes_nothing(self):
        out = os.path.join(ARGS.work, "never.json")
        env = dict(os.environ, LBASIM_OSU018_DIR="/nonexistent/osu018")
        r = lbasim("power", "--synthesize", "--configs", "m3e4", "--json", out, env=env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("qflow-tech-osu018", r.stderr)
        self.assertFalse(os.path.exists(out))


def swap_bits(netlist, bad_dir, a, b):
    """A copy of the netlist with the nets of two output pins swapped (a wiring fault)."""
    with open(netlist) as f:
        text = f.read()
    assert a in text and b in text, (a, b)
    os.makedirs(bad_dir, exist_ok=True)
    path = os.path.join(bad_dir, "netlist.v")
    with open(path, "w") as f:
        f.write(text.replace(a, "@@").replace(b, a).replace("@@", b))
    return path


class VariantFlow(unittest.TestCase):
    """The flow on M3E4 (or CONFIG) for one PE variant (options of lbasim power); its row and
    folders."""
    FOLDER, OPTIONS, CONFIG = None, (), "m3e4"

    @classmethod
    def setUpClass(cls):
        cls.work = os.path.join(ARGS.work, cls.FOLDER)
        shutil.rmtree(cls.work, ignore_errors=True)
        t0 = time.time()
        cls.flow_run = lbasim("power", "--synthesize", "--configs", cls.CONFIG, "--cycles", "800",
                              *cls.OPTIONS, "--work", cls.work,
                              "--table-out", os.path.join(cls.work, "table.json"))
        print(f"{cls.CONFIG} {' '.join(cls.OPTIONS)} flow: {time.time() - t0:.1f} s wall",
              file=sys.stderr)

    def row(self):
        self.assertEqual(self.flow_run.returncode, 0, self.flow_run.stdout + self.flow_run.stderr)
        with open(os.path.join(self.work, "table.json")) as f:
            return json.load(f)["configs"][0]

    def assert_check_fails(self, stim, netlist, bad, period, port):
        """The stimulus `stim` on `netlist` must fail the gate-level check at `port`."""
        with open(os.path.join(stim, "stimulus.json")) as f:
            stim_json = json.load(f)
        os.makedirs(bad, exist_ok=True)
        gatesim.simulate(stim_json["design"], netlist, stim, bad, period, stim_json["cycles"],
                         stim_json["warmup"])
        with self.assertRaisesRegex(toolchain.FlowError, rf"port {port}: expected"):
            gatesim.check_outputs(stim_json["design"], stim, bad)

    def assert_swap_caught(self, job, a, b, period, port):
        """Job's netlist passes the check; with output pins a and b swapped it fails."""
        stim = os.path.join(self.work, job, "stimulus")
        flow = os.path.join(self.work, job, "work")
        with open(os.path.join(stim, "stimulus.json")) as f:
            gatesim.check_outputs(json.load(f)["design"], stim, flow)  # passes as synthesized
        bad = os.path.join(self.work, job + "-swapped")
        netlist = swap_bits(os.path.join(flow, "netlist.v"), bad, a, b)
        self.assert_check_fails(stim, netlist, bad, period, port)

    def one_stage_pe_stimulus(self):
        stims = os.path.join(self.work, "pe_stimulus")
        r = lbasim("power", "--synthesize", "--configs", "m3e4", "--cycles", "800",
                   "--write-stimulus", stims)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return os.path.join(stims, "m3e4", "stimulus")


class ColumnFlowM3E4(VariantFlow):
    """Chunk lane 'column' through the flow: the PE without its chunk lane (a chunk's psum
    enters the column top as +0) and the column-bottom chunk_lane, each checked at gate level
    against the golden model; the row is PE + lane / R."""
    FOLDER, OPTIONS = "column", ("--chunk-lane", "column")

    def test_row_is_the_column_pe_and_the_lane_over_the_rows(self):
        row = self.row()
        self.assertEqual(row["chunk_lane"], "column")
        self.assertEqual(row["flow"]["design"]["params"]["CHUNK_COLUMN"], 1)
        self.assertEqual(row["flow"]["column_lane"]["design"]["top"], "chunk_lane")
        self.assertGreater(row["flow"]["gate_level_check"]["words_checked"], 1000)
        self.assertGreater(row["flow"]["column_lane"]["gate_level_check"]["words_checked"], 500)
        self.assertGreater(row["flow"]["column_lane"]["cycles"]["add"], 100)
        col = row["column"]
        rows = col["rows"]
        self.assertEqual(rows, 16)
        self.assertAlmostEqual(row["area_um2"],
                               col["pe"]["area_um2"] + col["lane"]["area_um2"] / rows)
        for k in ("internal_pj", "switching_pj"):
            self.assertAlmostEqual(row["mac"][k], col["pe"]["mac"][k] + col["lane"]["mac"][k] / rows)
        self.assertEqual(col["lane"]["flip_flops"], 0)

    def test_a_swapped_output_bit_of_the_lane_is_caught(self):
        self.assert_swap_caught("m3e4-column-lane", ".Y(chunk_out[0])", ".Y(chunk_out[1])",
                                10.0, "chunk_out")

    def test_the_pe_stimulus_fails_on_the_column_pe(self):
        # The 'pe' stimulus (restart tags, chunk word in) against the CHUNK_COLUMN=1 netlist:
        # co_out is 0 there, so the golden model's chunk words differ.
        self.assert_check_fails(self.one_stage_pe_stimulus(),
                                os.path.join(self.work, "m3e4-column", "work", "netlist.v"),
                                os.path.join(self.work, "pe_on_column"), 20.0,
                                "(co_out|restart_out|ps_out)")

    def test_a_chunk_column_cannot_map_is_refused(self):
        out = os.path.join(self.work, "never.json")
        r = lbasim("power", "--synthesize", "--configs", "m3e4", "--chunk-lane", "column",
                   "--array", "12x12", "--work", os.path.join(self.work, "never"), "--json", out)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("chunk 16 is not a multiple of the array's 12 rows", r.stderr)
        self.assertFalse(os.path.exists(out))


class TwoStageFlowM3E4(VariantFlow):
    """The 2-stage PE (ws_pe STAGES=2, a register after the product) through the flow: its
    stimulus has the pairs one cycle after their activations, the outputs are checked against
    the golden model, and its fmax is its own."""
    FOLDER, OPTIONS = "stages2", ("--stages", "2")

    def test_row_is_the_two_stage_pe_checked_against_the_golden_model(self):
        row = self.row()
        self.assertEqual(row["stages"], 2)
        self.assertEqual(row["flow"]["design"]["params"]["STAGES"], 2)
        self.assertGreater(row["flow"]["gate_level_check"]["words_checked"], 1000)
        self.assertGreater(row["flow"]["cycles"]["mac"], 300)
        # The product register splits the FMAq path: a shorter critical path than the
        # committed 1-stage row's, and more flip-flops.
        with open(os.path.join(rtl.ROOT, "models", "cost", "data", "power_osu018.json")) as f:
            one = [r for r in json.load(f)["configs"] if r["name"] == "m3e4"
                   and r.get("chunk_lane", "pe") == "pe" and r.get("stages", 1) == 1
                   and r.get("dataflow", "ws") == "ws"][0]
        self.assertLess(row["critical_path_ns"], one["critical_path_ns"])
        self.assertGreater(row["flip_flops"], one["flip_flops"])

    def test_the_one_stage_stimulus_fails_on_the_two_stage_pe(self):
        # Pairs in the same cycle as their activations (the 1-stage order) meet no registered
        # product: the 2-stage netlist's psums differ from the golden 1-stage outputs.
        self.assert_check_fails(self.one_stage_pe_stimulus(),
                                os.path.join(self.work, "m3e4-2stage", "work", "netlist.v"),
                                os.path.join(self.work, "one_on_two"), 20.0, "ps_out")


class OsFlowM3E4(VariantFlow):
    """The output-stationary PE (rtl/pe/os_pe.v) through the flow: both operands streaming in
    the OS order, outputs checked against the golden model."""
    FOLDER, OPTIONS = "os", ("--dataflow", "os")

    def test_row_is_the_os_pe_checked_against_the_golden_model(self):
        row = self.row()
        self.assertEqual(row["dataflow"], "os")
        self.assertEqual(row["flow"]["design"]["top"], "os_pe")
        self.assertGreater(row["flow"]["gate_level_check"]["words_checked"], 10000)
        self.assertGreater(row["flow"]["cycles"]["mac"], 1000)  # both operands valid
        with open(os.path.join(self.work, "m3e4-os", "work", "netlist.v")) as f:
            self.assertNotIn("events", f.read())

    def test_a_swapped_psum_bit_of_the_os_pe_is_caught(self):
        self.assert_swap_caught("m3e4-os", ".Q(ps[0])", ".Q(ps[1])", 20.0, "ps")

    def test_os_with_chunk_lane_column_is_refused(self):
        out = os.path.join(self.work, "never.json")
        r = lbasim("power", "--synthesize", "--configs", "m3e4", "--dataflow", "os",
                   "--chunk-lane", "column", "--json", out)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("--dataflow os", r.stderr)
        self.assertFalse(os.path.exists(out))


class FusedFlowG4(VariantFlow):
    """The array's fused PE (rtl/pe/fused_ws_pe.v, G = 4, F = 13, M13E8 rtz) through the flow
    (~15 s): G-code words streaming in the fused WS array's order, outputs checked against
    num::fused_step; a busy cycle is a step of G MACs."""
    FOLDER, OPTIONS, CONFIG = "fused", ("--pe", "fused"), "f4_m13e8"

    def test_row_is_the_fused_pe_checked_against_the_golden_model(self):
        row = self.row()
        self.assertEqual(row["pe"], "fused")
        self.assertEqual(row["fused"], {"terms": 4, "align_bits": 13})
        self.assertEqual(row["macs_per_cycle"], 4)
        self.assertEqual(row["formats"]["product"], "exact")
        design = row["flow"]["design"]
        self.assertEqual(design["top"], "fused_ws_pe")
        self.assertEqual((design["params"]["G"], design["params"]["F"]), (4, 13))
        self.assertIn("rtl/fused/fused_dot.v", design["rtl"])
        self.assertGreater(row["flow"]["gate_level_check"]["words_checked"], 1000)
        self.assertGreater(row["flow"]["cycles"]["mac"], 300)
        with open(os.path.join(self.work, "f4_m13e8", "work", "netlist.v")) as f:
            text = f.read()
        self.assertNotIn("events", text)  # simulation-only outputs are not synthesized
        self.assertIn("a_out[31]", text)  # G = 4 activation codes of 8 bits move right

    def test_a_swapped_psum_bit_of_the_fused_pe_is_caught(self):
        self.assert_swap_caught("f4_m13e8", ".Q(ps_out[0])", ".Q(ps_out[1])", 30.0, "ps_out")

    def test_a_swapped_activation_code_bit_is_caught(self):
        # A bit of the last of the G codes: the check covers every word of a wide port.
        self.assert_swap_caught("f4_m13e8", ".Q(a_out[30])", ".Q(a_out[31])", 30.0, "a_out")


@unittest.skipUnless(os.environ.get("LBASIM_SLOW_TESTS") == "1",
                     "a 2x2 array synthesis (~1.5 min): LBASIM_SLOW_TESTS=1")
class ArrayAsAWholeM3E4(unittest.TestCase):
    """lba.power.array: the 2x2 M3E4 systolic_ws synthesized as a whole keeps the PE's fmax
    and costs the R x C PEs plus at most the C column-bottom lanes (docs/cost.md)."""

    def test_area_and_fmax_of_a_2x2_array_against_pe_x_rc(self):
        from lba.power import array, placement
        res = array.compare(placement.pe_rows()["m3e4"], 2, 2, os.path.join(ARGS.work, "array"))
        self.assertGreater(res["array"]["area_um2"], res["pe_x_rc_um2"])
        self.assertLess(res["array"]["area_um2"], res["pe_x_rc_plus_lanes_um2"])
        self.assertAlmostEqual(res["array_vs_pe_fmax"], 1.0, delta=0.05)


class HandComputedPath(unittest.TestCase):
    # One INVX1 from an input port (transition 0.06 ns) to an output port loaded with
    # 0.025 pF: both are grid points of the cell's delay and energy tables (index_1 = load,
    # index_2 = input transition), so OpenSTA's numbers are table entries, no interpolation.
    SLEW_NS, LOAD_PF, PERIOD_NS = 0.06, 0.025, 10.0

    @classmethod
    def setUpClass(cls):
        with open(toolchain.LIBERTY) as f:
            cls.lib = f.read()
        cls.cell = cls.lib[cls.lib.index("cell (INVX1)"):cls.lib.index("cell (INVX2)")]

    def entry(self, table, template):
        block = self.cell[self.cell.index(f"{table}({template})"):]
        loads = [float(x) for x in re.search(r'index_1 \("([^"]+)"', block).group(1).split(",")]
        slews = [float(x) for x in re.search(r'index_2 \("([^"]+)"', block).group(1).split(",")]
        rows = re.findall(r'"([0-9., -]+)"', block[block.index("values"):])[:len(loads)]
        return float(rows[loads.index(self.LOAD_PF)].split(",")[slews.index(self.SLEW_NS)])

    def run_sta(self, name, commands):
        """OpenSTA on the lone inverter with its input and load set, then `commands`."""
        work = os.path.join(ARGS.work, "hand")
        os.makedirs(work, exist_ok=True)
        with open(os.path.join(work, "hand.v"), "w") as f:
            f.write("module hand(a, y);\n  input a;\n  output y;\n"
                    "  INVX1 g1 (.A(a), .Y(y));\nendmodule\n")
        with open(os.path.join(work, name + ".tcl"), "w") as f:
            f.write(f"read_liberty {toolchain.LIBERTY}\nread_verilog hand.v\nlink_design hand\n"
                    f"create_clock -name vclk -period {self.PERIOD_NS}\n"
                    "set_input_delay 0 -clock vclk [get_ports a]\n"
                    f"set_input_transition {self.SLEW_NS} [get_ports a]\n"
                    "set_output_delay 0 -clock vclk [get_ports y]\n"
                    f"set_load {self.LOAD_PF} [get_ports y]\n" + commands)
        return toolchain.run(["sta", "-no_splash", "-exit", name + ".tcl"], work, name + ".log")

    def test_inverter_arrival_is_the_liberty_table_entry(self):
        expected = max(self.entry("cell_rise", "delay_template_5x5"),
                       self.entry("cell_fall", "delay_template_5x5"))
        log = self.run_sta("hand", "report_checks -path_delay max -digits 6\n")
        arrival = float(re.search(r"([0-9.]+)\s+data arrival time", log).group(1))
        self.assertAlmostEqual(arrival, expected, places=6)
        slack = float(re.search(r"(-?[0-9.]+)\s+slack", log).group(1))
        self.assertAlmostEqual(slack, self.PERIOD_NS - expected, places=5)  # 6 digits printed

    def test_inverter_power_is_the_liberty_formula(self):
        # The inverter toggling 0.4 times per clock period, power by hand from the Liberty:
        #   switching = 1/2 C V^2 * transitions/s
        #   internal  = (rise_power + fall_power) * transitions/s   (this OpenSTA's formula:
        #               both table entries per transition; later versions take their mean)
        #   leakage   = cell_leakage_power
        volts = float(re.search(r"nom_voltage : ([0-9.]+);", self.lib).group(1))
        act = 0.4
        per_s = act / (self.PERIOD_NS * 1e-9)
        switching = 0.5 * self.LOAD_PF * 1e-12 * volts ** 2 * per_s
        internal = (self.entry("rise_power", "energy_template_5x5")
                    + self.entry("fall_power", "energy_template_5x5")) * 1e-12 * per_s
        leakage = float(re.search(r"cell_leakage_power : ([0-9.]+);", self.cell).group(1)) * 1e-9
        log = self.run_sta(
            "hand_power",
            f"set_power_activity -input_ports [get_ports a] -activity {act} -duty 0.5\n"
            'puts "g1 [sta::instance_power [get_cells g1] [sta::cmd_corner]]"\n')
        got = [float(x) for x in re.search(r"^g1 (\S+) (\S+) (\S+)", log, re.M).groups()]
        # OpenSTA computes in single precision
        self.assertAlmostEqual(got[1] / switching, 1.0, places=6)
        self.assertAlmostEqual(got[0] / internal, 1.0, places=6)
        self.assertAlmostEqual(got[2] / leakage, 1.0, places=6)

    def test_the_flow_gives_opensta_transitions_per_cycle(self):
        # The flow's own path (wrapper, per-pin activities, energy per cycle): a lone INVX1
        # whose nets toggle `act` times per cycle switches its output load, the wrapper's
        # OUTPUT_LOAD_PF, 1/2 C V^2 per transition.
        with open(toolchain.LIBERTY) as f:
            lib = f.read()
        volts = float(re.search(r"nom_voltage : ([0-9.]+);", lib).group(1))
        work = os.path.join(ARGS.work, "hand_flow")
        os.makedirs(work, exist_ok=True)
        netlist = os.path.join(work, "inv.v")
        with open(netlist, "w") as f:
            f.write("module inv(a, y);\n  input a;\n  output y;\n"
                    "  INVX1 g1 (.A(a), .Y(y));\nendmodule\n")
        wrapper_v = os.path.join(work, "wrapper.v")
        with open(wrapper_v, "w") as f:
            f.write(wrapper.verilog({"top": "inv", "clocked": False, "inputs": [["a", 1]],
                                     "outputs": [["y", 1]]}))
        for act in (0.25, 0.5):
            r = power.report(netlist, wrapper_v, {"a": (act, 0.5), "y": (act, 0.5)}, work,
                             f"inv{act}")
            expected_pj = 0.5 * wrapper.OUTPUT_LOAD_PF * volts ** 2 * act
            self.assertAlmostEqual(r["switching_pj"] / expected_pj, 1.0, places=5)


class ChunkPlacementM3E4(unittest.TestCase):
    """lba.power.placement: CHUNK_COLUMN reaches synthesis. The 'column' PE loses exactly the
    chunk lane's registers (the chunk word and the restart tag, rtl/pe/ws_pe.v) and its adder;
    the column-bottom lane is combinational."""

    def test_column_pe_has_no_chunk_lane_and_the_lane_is_shared_over_the_rows(self):
        from lba.power import placement
        with open(placement.TABLE) as f:
            row = {r["name"]: r for r in json.load(f)["configs"]}["m3e4"]
        res = placement.placements(row, 4, os.path.join(ARGS.work, "placement"))
        cacc = row["flow"]["stimulus_formats"]["chunk_accumulator"]
        self.assertEqual(res["pe"]["flip_flops"] - res["column_pe"]["flip_flops"],
                         placement.widths(cacc) + 1)
        self.assertEqual(res["column_lane"]["flip_flops"], 0)
        self.assertLess(res["column_pe"]["area_um2"], res["pe"]["area_um2"])
        self.assertAlmostEqual(res["column_area_um2_per_pe"],
                               res["column_pe"]["area_um2"] + res["column_lane"]["area_um2"] / 4,
                               places=1)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--lbasim", required=True)
    ap.add_argument("--work", required=True)
    ARGS, rest = ap.parse_known_args()
    try:
        toolchain.require_tools()
    except toolchain.FlowError as e:
        print(f"skipped: {e}")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()

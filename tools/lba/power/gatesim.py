"""iverilog: the mapped netlist with the library's Verilog cell models (their specify delays,
so glitches are simulated) on the stimulus; outputs compared with the golden model's; per-net
toggles and time at 1 from the VCD, per class of cycle (MAC or idle)."""
import math
import os

from .toolchain import CELL_MODELS, FlowError, run

INPUT_DELAY_NS = 0.3  # inputs change this long after the clock edge, like a neighbour's Q


def testbench(design, period_ns, cycles, warmup):
    ins, outs = design["inputs"], design["outputs"]
    # Rising edges at T, 2T, ...: cycle t is [tT, (t+1)T), its inputs are captured at (t+1)T.
    lines = ["`timescale 1ns/10ps", "module tb;", "  reg clk = 1;"]
    for n, w in ins:
        lines.append(f"  reg [{w - 1}:0] {n} = 0;")
    for n, w in outs:
        lines.append(f"  wire [{w - 1}:0] {n};")
    conns = [".clk(clk)"] if design["clocked"] else []
    conns += [f".{n}({n})" for n, _ in ins + outs]
    lines.append(f"  {design['top']} dut ({', '.join(conns)});")
    fields = " ".join("%h" for _ in ins) + " %d"
    args = ", ".join(n for n, _ in ins)
    out_fmt = " ".join("%h" for _ in outs)
    out_args = ", ".join(n for n, _ in outs)
    half = period_ns / 2
    lines += [
        "  integer fin, fout, t, cls, rc;",
        f"  always #{half} clk = ~clk;",
        "  initial begin",
        '    fin = $fopen("inputs.hex", "r");',
        '    fout = $fopen("outputs.hex", "w");',
        f"    for (t = 0; t < {cycles}; t = t + 1) begin",
        f"      if (t == {warmup}) begin $dumpfile(\"activity.vcd\"); $dumpvars(1, dut); end",
        f"      #{INPUT_DELAY_NS};",
        f'      rc = $fscanf(fin, "{fields}\\n", {args}, cls);',
        f"      #{period_ns - INPUT_DELAY_NS - 0.1:.4f};",
        f'      $fwrite(fout, "{out_fmt}\\n", {out_args});',
        "      #0.1;",
        "    end",
        "    $fclose(fout);",
        "    $finish;",
        "  end",
        "endmodule",
    ]
    return "\n".join(lines) + "\n"


def simulate(design, netlist, stim_dir, workdir, period_ns, cycles, warmup,
             cell_models=CELL_MODELS, zero_delay=False):
    tb = os.path.join(workdir, "tb.v")
    with open(tb, "w") as f:
        f.write(testbench(design, period_ns, cycles, warmup))
    for name in ("inputs.hex",):
        dst = os.path.join(workdir, name)
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(os.path.abspath(os.path.join(stim_dir, name)), dst)
    # -gspecify: the cells' path delays, so hazards glitch as in the library's timing;
    # without it every cell switches at once (no glitches).
    delays = [] if zero_delay else ["-gspecify"]
    run(["iverilog", "-g2005", *delays, "-o", "sim.vvp", tb, netlist, cell_models],
        workdir, "iverilog.log")
    run(["vvp", "-n", "sim.vvp"], workdir, "vvp.log", timeout=3600)


def check_outputs(design, stim_dir, workdir):
    """Every checked output word against the golden model; FlowError at the first mismatch."""
    outs = design["outputs"]
    expected = open(os.path.join(stim_dir, "expected.hex")).read().split("\n")
    actual = open(os.path.join(workdir, "outputs.hex")).read().split("\n")
    shift = 1 if design["clocked"] else 0  # registered outputs show a cycle later
    checked = 0
    for t, line in enumerate(expected):
        if not line.strip():
            continue
        if t + shift >= len(actual) or not actual[t + shift].strip():
            break
        exp_words, act_words = line.split(), actual[t + shift].split()
        for (name, _), e, a in zip(outs, exp_words, act_words):
            if e == "x":
                continue
            checked += 1
            if "x" in a.lower() or "z" in a.lower() or int(a, 16) != int(e, 16):
                raise FlowError(
                    f"gate-level output differs from the golden model: cycle {t}, port {name}: "
                    f"expected {e}, netlist {a} (stimulus {stim_dir}, outputs "
                    f"{os.path.join(workdir, 'outputs.hex')})")
    if checked == 0:
        raise FlowError(f"gate-level simulation checked no output word ({workdir})")
    return checked


def toggles(workdir, stim_dir, period_ns, warmup):
    """Per net bit and class: transitions and time at 1, from the VCD (times in 10 ps)."""
    classes = [int(line.split()[-1]) for line in
               open(os.path.join(stim_dir, "inputs.hex")) if line.strip()]
    tick = 0.01  # ns, the VCD's timescale
    period = round(period_ns / tick)
    start = warmup * period
    ids = {}
    with open(os.path.join(workdir, "activity.vcd")) as f:
        for line in f:
            if line.startswith("$var"):
                parts = line.split()
                width, code, name = int(parts[2]), parts[3], parts[4]
                ids.setdefault(code, []).append((name, width))
            elif line.startswith("$enddefinitions"):
                break
        codes = list(ids)
        width = {c: ids[c][0][1] for c in codes}
        value = {c: None for c in codes}
        since = {c: start for c in codes}
        ncls = 2
        tog = {c: [[0] * width[c] for _ in range(ncls)] for c in codes}
        high = {c: [[0] * width[c] for _ in range(ncls)] for c in codes}
        now = start

        # cum[k][c]: time spent in class-k cycles before cycle c, so that the time at 1 of an
        # interval splits into classes in O(1).
        cum = [[0] * (len(classes) + 1) for _ in range(ncls)]
        for c in range(len(classes)):
            for k in range(ncls):
                cum[k][c + 1] = cum[k][c] + (period if classes[c] == k else 0)

        def cls_of(time):
            cycle = time // period
            return classes[cycle] if cycle < len(classes) else 0

        def before(k, time):
            cycle = min(time // period, len(classes))
            extra = time - cycle * period if cycle < len(classes) and classes[cycle] == k else 0
            return cum[k][cycle] + extra

        def account(c, until):
            v = value[c]
            if v is None or "1" not in v:
                return
            t0 = since[c]
            spans = [before(k, until) - before(k, t0) for k in range(ncls)]
            for b, bit in enumerate(v):
                if bit == "1":
                    for k in range(ncls):
                        high[c][k][b] += spans[k]

        for line in f:
            if not line or line[0] in "$":
                continue
            ch = line[0]
            if ch == "#":
                now = int(line[1:])
                continue
            if ch == "b":
                bits, c = line[1:].split()
            elif ch in "01xz":
                bits, c = ch, line[1:].strip()
            else:
                continue
            bits = bits.rjust(width[c], bits[0] if bits[0] in "xz" else "0")[::-1]
            old = value[c]
            account(c, now)
            since[c] = now
            value[c] = bits
            if old is None or now < start:
                continue
            k = cls_of(now)
            t = tog[c][k]
            for b in range(width[c]):
                if old[b] != bits[b] and old[b] in "01" and bits[b] in "01":
                    t[b] += 1
    end = len(classes) * period
    for c in codes:
        account(c, end)
    cycles = [0] * 2
    for t in range(warmup, len(classes)):
        cycles[classes[t]] += 1
    nets = {}
    for c in codes:
        for name, w in ids[c]:
            for b in range(w):
                key = f"{name}[{b}]" if w > 1 else name
                nets[key] = ([tog[c][k][b] for k in range(2)], [high[c][k][b] for k in range(2)])
    return {"cycles": cycles, "period_ticks": period, "nets": nets}


def activities(tog, cls):
    """{net: (transitions per cycle, fraction of time at 1)} for one class."""
    n = tog["cycles"][cls]
    if n == 0:
        return {}
    span = n * tog["period_ticks"]
    return {net: (t[cls] / n, min(1.0, h[cls] / span)) for net, (t, h) in tog["nets"].items()}


def sim_period_ns(critical_path_ns):
    """A simulation clock long enough for every path to settle."""
    return float(max(10, math.ceil(critical_path_ns * 1.25 + INPUT_DELAY_NS + 1)))

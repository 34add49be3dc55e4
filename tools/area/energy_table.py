#!/usr/bin/python3
"""Per-action energies of each accumulator configuration from gate-level switching activity of
the synthesized PE (docs/cost.md), calibrated to Horowitz (ISSCC 2014, 45 nm).

  /usr/bin/python3 tools/area/synth_table.py --netlists build-x/netlists --anchors
  /usr/bin/python3 tools/area/energy_table.py --netlists build-x/netlists \
      --lbasim build-x/sim/lbasim        # -> models/cost/data/energy_45nm.json

Each mapped netlist (NanGate45 subset cells, Yosys JSON) is simulated cycle by cycle, zero
delay, bit-parallel over independent dot-product streams (one Python integer per net, one bit
per stream). Stimulus: `lbasim area --write-stimulus` (ReLU'd normal activations, He weights,
quantized to FP8 by lbasim's golden model), which also gives each stream's golden chunked dot
product: the netlist's final outputs must equal it bit for bit, else the script fails.
Switched capacitance is approximated by cell area: each output toggle of a cell counts its
area (um^2). Energy = k * switched area, with k fitted on the anchor units.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth_table  # noqa: E402  (formats, liberty, component attribution)

OUTPUT_PINS = {"Z", "ZN", "Q", "QN"}
CLOCK_TOGGLES_PER_CYCLE = 0.5  # clock cost of a flip-flop per clocked cycle, in DFF-area units
HOROWITZ_SRAM = [[8192, 10.0 / 8], [32768, 20.0 / 8], [1048576, 100.0 / 8]]  # pJ per byte
HOROWITZ_DRAM = 1950.0 / 8  # midpoint of 1.3-2.6 nJ per 64-bit access, pJ per byte


def liberty_cells():
    """name -> (area, {output pin: python expression over input pins}) from the Liberty file."""
    text = open(synth_table.LIBERTY).read()
    cells = {}
    for m in re.finditer(r"cell \((\w+)\) \{(.*?)\n  \}", text, re.S):
        body = m.group(2)
        area = float(re.search(r"area : ([0-9.]+);", body).group(1))
        funcs = {}
        for pm in re.finditer(r'pin \((\w+)\) \{ direction : output; function : "([^"]+)"', body):
            funcs[pm.group(1)] = pm.group(2).replace("!", "~")
        cells[m.group(1)] = (area, funcs)
    return cells


class Netlist:
    """A flat mapped netlist compiled into one Python function per clock cycle."""

    def __init__(self, path, top):
        data = json.load(open(path))
        mod = data["modules"][top]
        self.ports = {n: p["bits"] for n, p in mod["ports"].items()}
        lib = liberty_cells()
        nets = set()
        for bits in self.ports.values():
            nets.update(b for b in bits if isinstance(b, int))
        self.cells = []  # (name, type, area, component, inputs{pin: net}, outputs{pin: net})
        for cname, cell in mod["cells"].items():
            ins, outs = {}, {}
            for pin, bits in cell["connections"].items():
                (outs if pin in OUTPUT_PINS else ins)[pin] = bits[0]
                if isinstance(bits[0], int):
                    nets.add(bits[0])
            self.cells.append((cname, cell["type"], lib[cell["type"]][0],
                               synth_table.component(cname, cell["type"]), ins, outs))
        self.nnets = max(nets) + 1
        self.lib = lib
        self._compile()

    def _ref(self, bit):
        if bit == "0" or bit == "x" or bit == "z":
            return "0"
        if bit == "1":
            return "M"
        return f"v[{bit}]"

    def _compile(self):
        driver = {}
        for i, (_, typ, _, _, _, outs) in enumerate(self.cells):
            for net in outs.values():
                if isinstance(net, int):
                    driver[net] = i
        seq = [i for i, c in enumerate(self.cells) if c[1].startswith("DFF")]
        order, state = [], {}
        for i in seq:
            state[i] = 2

        def visit(i):  # depth-first topological order of combinational cells
            stack = [(i, False)]
            while stack:
                j, done = stack.pop()
                if done:
                    state[j] = 2
                    order.append(j)
                    continue
                if state.get(j) == 2:
                    continue
                if state.get(j) == 1:
                    raise RuntimeError("combinational loop in the netlist")
                state[j] = 1
                stack.append((j, True))
                for net in self.cells[j][4].values():
                    d = driver.get(net) if isinstance(net, int) else None
                    if d is not None and state.get(d) != 2:
                        stack.append((d, False))

        for i in range(len(self.cells)):
            if state.get(i) != 2:
                visit(i)
        lines = ["def comb(v, p, t, tz, tn, Z, N, M):"]
        for i in order:
            _, typ, _, _, ins, outs = self.cells[i]
            for pin, net in outs.items():
                expr = self.lib[typ][1][pin]
                expr = re.sub(r"\b([A-Z]\w*)\b", lambda m: "{" + m.group(1) + "}", expr)
                expr = expr.format(**{k: self._ref(b) for k, b in ins.items()})
                lines.append(f"  v[{net}] = ({expr}) & M")
        # Toggles of every cell output, DFFs included: all streams, zero-MAC streams (Z) and
        # non-zero-MAC streams (N).
        for i, (_, _, _, _, _, outs) in enumerate(self.cells):
            for net in outs.values():
                lines.append(f"  d = v[{net}] ^ p[{net}]")
                lines.append(f"  t[{i}] += d.bit_count(); tz[{i}] += (d & Z).bit_count(); "
                             f"tn[{i}] += (d & N).bit_count()")
        ns = {}
        exec("\n".join(lines), ns)
        self.comb = ns["comb"]
        self.dffs = [(c[4]["D"], c[5].get("Q"), c[5].get("QN")) for c in self.cells
                     if c[1].startswith("DFF")]

    def run(self, cycles, width):
        """cycles: iterable of (inputs {port: [int per bit]}, Z, N, feedback) with feedback a
        list of (output port, input port) copied before the cycle. Returns toggle counts."""
        M = (1 << width) - 1
        v = [0] * self.nnets
        n = len(self.cells)
        t, tz, tn = [0] * n, [0] * n, [0] * n
        p = [0] * self.nnets  # every net during the previous cycle, before its clock edge
        for inputs, Z, N, feedback in cycles:
            for src, dst in feedback:
                for sb, db in zip(self.ports[src], self.ports[dst]):
                    v[db] = v[sb] if isinstance(sb, int) else 0
            for port, vals in inputs.items():
                for b, val in zip(self.ports[port], vals):
                    v[b] = val
            self.comb(v, p, t, tz, tn, Z, N, M)
            p = list(v)
            # Clock edge: every flip-flop takes D (enables are muxes in the netlist).
            new = [(q, qn, v[d] if isinstance(d, int) else 0) for d, q, qn in self.dffs]
            for q, qn, val in new:
                if isinstance(q, int):
                    v[q] = val
                if isinstance(qn, int):
                    v[qn] = val ^ M
            yield v, M
        self.toggles = (t, tz, tn)

    def port_value(self, v, port, stream):
        return sum(((v[b] >> stream) & 1) << i for i, b in enumerate(self.ports[port])
                   if isinstance(b, int))


def bit_planes(codes, nbits):
    """codes (streams,) -> per bit i the integer whose bit s is bit i of codes[s]."""
    codes = np.asarray(codes, dtype=np.uint64)
    out = []
    for i in range(nbits):
        bits = ((codes >> np.uint64(i)) & np.uint64(1)).astype(np.uint8)
        out.append(int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little"))
    return out


def simulate_pe(netlist, stim):
    """Chunked dot products on the PE, one per stream: the weight register loads w[k] in cycle
    k, the multiplier sees a[k] in cycle k+1, psum and chunk outputs feed back to their inputs,
    and a last restart cycle folds the final chunk into chunk_out (docs/systolic.md)."""
    k, chunk, streams = stim["k"], stim["chunk"], stim["streams"]
    a = np.array(stim["a"], dtype=np.uint64)  # (streams, k)
    w = np.array(stim["w"], dtype=np.uint64)
    aw, ww = len(netlist.ports["a_in"]), len(netlist.ports["w_in"])
    full = (1 << streams) - 1
    zero_ab = ((a & np.uint64((1 << (aw - 1)) - 1)) == 0) | \
        ((w & np.uint64((1 << (ww - 1)) - 1)) == 0)
    # Under flush (DAZ) a code with exponent field 0 is zero too: the stimulus has none, as
    # lbasim encodes zero as 0 and W/A normals have non-zero exponent codes.
    fb = [("ps_out", "ps_in"), ("co_out", "co_in")]
    # Feeding an output back before the cycle's evaluation is right only for register outputs.
    qs = {q for _, q, _ in netlist.dffs}
    for src, _ in fb:
        if not all(b in qs for b in netlist.ports[src] if isinstance(b, int)):
            raise RuntimeError(f"{src} is not driven straight by flip-flops")
    ones, zeros = [full], [0]

    def cycles():
        for c in range(k + 2):
            inputs = {"clk": zeros, "rst": zeros, "pv_in": ones, "av_in": ones, "active": ones,
                      "w_load": ones}
            inputs["w_in"] = bit_planes(w[:, c], ww) if c < k else [0] * ww
            inputs["a_in"] = bit_planes(a[:, c - 1], aw) if 1 <= c <= k else [0] * aw
            mac = 1 <= c <= k
            restart = c == k + 1 or (mac and chunk > 0 and (c - 1) % chunk == 0)
            inputs["restart"] = ones if restart else zeros
            if mac:
                zm = int.from_bytes(np.packbits(zero_ab[:, c - 1].astype(np.uint8),
                                                bitorder="little").tobytes(), "little")
                yield inputs, zm, full ^ zm, fb
            else:
                yield inputs, 0, 0, fb

    v = None
    for v, _ in netlist.run(cycles(), streams):
        pass
    # One more edge is not needed: co_out was registered at the end of the last cycle.
    got = [netlist.port_value(v, "co_out", s) for s in range(streams)]
    bad = [s for s in range(streams) if got[s] != stim["expected"][s]]
    if bad:
        s = bad[0]
        raise RuntimeError(f"gate-level PE differs from the golden chunked dot product in "
                           f"{len(bad)} of {streams} streams; stream {s}: got {got[s]:#x}, "
                           f"expected {stim['expected'][s]:#x}")
    n_zero = int(zero_ab.sum())
    chunk_adds = streams * (math.ceil(k / chunk) if chunk > 0 else 1)
    return {"nonzero_macs": streams * k - n_zero, "zero_macs": n_zero,
            "chunk_adds": chunk_adds, "mac_cycles": k, "streams": streams}


def simulate_anchor(netlist, top, fmt, vectors, seed):
    """Consecutive random N(0,1) operand pairs through one IEEE unit: switched area per op."""
    rng = np.random.default_rng(seed)
    dtype, utype = (np.float32, np.uint32) if "M23E8" in fmt else (np.float16, np.uint16)
    x = rng.standard_normal(vectors).astype(dtype).view(utype)
    y = rng.standard_normal(vectors).astype(dtype).view(utype)
    ins = ("x", "y") if top == "fp_add" else ("a", "w")
    # Bit t of every net is operand pair t: one zero-delay pass, toggles between neighbours.
    n = len(netlist.ports[ins[0]])
    inputs = {ins[0]: bit_planes(x, n), ins[1]: bit_planes(y, n)}
    mask = (1 << vectors) - 1
    v = [0] * netlist.nnets
    for port, vals in inputs.items():
        for b, val in zip(netlist.ports[port], vals):
            v[b] = val
    ncell = len(netlist.cells)
    t = [0] * ncell
    netlist.comb(v, [0] * netlist.nnets, [0] * ncell, [0] * ncell, [0] * ncell, 0, 0, mask)
    # The netlist must compute IEEE results: numpy's float32 ops round once (RNE); fp16 goes
    # through the exact float64 sum/product, then one RNE rounding.
    xf, yf = x.view(dtype), y.view(dtype)
    if dtype is np.float32:
        want = (xf + yf) if top == "fp_add" else (xf * yf)
    else:
        x64, y64 = xf.astype(np.float64), yf.astype(np.float64)
        want = ((x64 + y64) if top == "fp_add" else (x64 * y64)).astype(dtype)
    want = want.view(utype).astype(np.uint64)
    got = np.zeros(vectors, dtype=np.uint64)
    nbytes = (vectors + 7) // 8
    for i, b in enumerate(netlist.ports["z" if top == "fp_add" else "p"]):
        val = v[b] if isinstance(b, int) else (mask if b == "1" else 0)
        bits = np.unpackbits(np.frombuffer(val.to_bytes(nbytes, "little"), dtype=np.uint8),
                             bitorder="little")[:vectors]
        got |= bits.astype(np.uint64) << np.uint64(i)
    if not np.array_equal(got, want):
        j = int(np.nonzero(got != want)[0][0])
        raise RuntimeError(f"gate-level {top} ({fmt}) differs from IEEE in "
                           f"{int((got != want).sum())} of {vectors} vectors; first: "
                           f"{int(x[j]):#x} {int(y[j]):#x} -> {int(got[j]):#x}, want {int(want[j]):#x}")
    lo = mask >> 1  # pairs (t, t+1), t < vectors-1
    switched = 0.0
    for i, (_, typ, area, _, _, outs) in enumerate(netlist.cells):
        for net in outs.values():
            d = (v[net] ^ (v[net] >> 1)) & lo
            switched += area * d.bit_count()
    return switched / (vectors - 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--netlists", required=True, help="folder from synth_table.py --netlists")
    ap.add_argument("--lbasim", required=True, help="the lbasim binary (writes the stimulus)")
    ap.add_argument("--configs", default=os.path.join(synth_table.AREA_DIR, "configs.json"))
    ap.add_argument("--out", default=os.path.join(synth_table.ROOT, "models", "cost", "data",
                                                  "energy_45nm.json"))
    ap.add_argument("--only", help="comma-separated row names")
    ap.add_argument("--k", type=int, default=128)
    ap.add_argument("--streams", type=int, default=256)
    ap.add_argument("--chunk", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--anchor-vectors", type=int, default=4096)
    args = ap.parse_args()
    spec = json.load(open(args.configs))
    rows = spec["configs"]
    if args.only:
        rows = [r for r in rows if r["name"] in args.only.split(",")]

    # Calibration: one scale per kind of logic, fitted in log space on its two anchors.
    anchors = {}
    for name, a in spec["anchors"].items():
        if name == "comment":
            continue
        nl = Netlist(os.path.join(args.netlists, f"{name}.json"), a["top"])
        sw = simulate_anchor(nl, a["top"], a["format"], args.anchor_vectors, args.seed)
        anchors[name] = {"target_pj": a["pj"], "switched_um2": round(sw, 2),
                         "kind": "mul" if a["top"] == "fp_mul" else "add"}
        print(f"energy_table: anchor {name}: {sw:.1f} um2 switched per op", file=sys.stderr)
    k = {}
    for kind in ("add", "mul"):
        logs = [math.log(x["target_pj"] / x["switched_um2"]) for x in anchors.values()
                if x["kind"] == kind]
        k[kind] = math.exp(sum(logs) / len(logs))
    logs = [math.log(x["target_pj"] / x["switched_um2"]) for x in anchors.values()]
    k_single = math.exp(sum(logs) / len(logs))
    for x in anchors.values():
        x["model_pj"] = round(k[x["kind"]] * x["switched_um2"], 4)
        x["single_scale_pj"] = round(k_single * x["switched_um2"], 4)

    lib = liberty_cells()
    dff_area = lib["DFF_X1"][0]
    out_rows = []
    for r in rows:
        with tempfile.TemporaryDirectory() as tmp:
            stim_path = os.path.join(tmp, "stim.json")
            subprocess.run([args.lbasim, "area", "--write-stimulus", stim_path, "--wa", spec["a"],
                            "--product", r["product"], "--acc", r["accumulator"],
                            "--k", str(args.k), "--streams", str(args.streams),
                            "--chunk", str(args.chunk), "--seed", str(args.seed)],
                           check=True, stdout=subprocess.DEVNULL)
            stim = json.load(open(stim_path))
        # The RTL parameters synthesized must be what lbasim's parser makes of the formats.
        for prefix, fmt in (("A", spec["a"]), ("P", r["product"]), ("ACC", r["accumulator"])):
            mine = {k2[len(prefix) + 1:]: v2
                    for k2, v2 in synth_table.format_params(prefix, fmt).items()}
            theirs = {k2: v2 for k2, v2 in stim["params"][prefix].items() if k2 in mine}
            if mine != theirs:
                sys.exit(f"energy_table: {r['name']}: format {fmt}: synth_table reads {mine}, "
                         f"lbasim reads {theirs}")
        nl = Netlist(os.path.join(args.netlists, f"{r['name']}.json"), synth_table.PE_TOP)
        counts = simulate_pe(nl, stim)
        t, tz, tn = nl.toggles
        sw_nonzero, sw_zero, sw_all = {}, {}, {}
        dff_toggles, ndff = 0, 0
        for i, (_, typ, area, comp, _, _) in enumerate(nl.cells):
            sw_nonzero[comp] = sw_nonzero.get(comp, 0.0) + area * tn[i]
            sw_zero[comp] = sw_zero.get(comp, 0.0) + area * tz[i]
            sw_all[comp] = sw_all.get(comp, 0.0) + area * t[i]
            if typ.startswith("DFF"):
                dff_toggles += tn[i] + tz[i]
                ndff += 1
        nz, zz = counts["nonzero_macs"], counts["zero_macs"]
        per = {c: sw_nonzero.get(c, 0.0) / nz for c in
               ("multiply", "product_round", "accumulate", "control")}
        datapath = ("multiply", "product_round", "accumulate", "control")
        zero_ungated = sum(sw_zero.get(c, 0.0) for c in datapath) / max(zz, 1)
        zero_gated = sw_zero.get("control", 0.0) / max(zz, 1)
        chunk = sw_all.get("chunk_add", 0.0) / counts["chunk_adds"]
        # Register word write: data toggles per bit (measured over the MAC cycles) plus clock,
        # for the mean width of the PE's data registers (a, w, psum, chunk).
        toggle_rate = dff_toggles / (ndff * counts["mac_cycles"] * counts["streams"])
        acc_bits = len(nl.ports["ps_out"])
        mean_bits = (len(nl.ports["a_in"]) + len(nl.ports["w_in"]) + 2 * acc_bits) / 4
        reg_word = dff_area * (toggle_rate + CLOCK_TOGGLES_PER_CYCLE) * mean_bits
        actions = {
            # fp_mul is one block in the netlist (as in the anchors): its product rounding is
            # part of `multiply`, and product_round stays 0.
            "multiply": k["mul"] * per["multiply"],
            "product_round": k["add"] * per["product_round"],
            # The PE's glue (restart mux, register enables, isolation) is charged to the MAC.
            "accumulate": k["add"] * (per["accumulate"] + per["control"]),
            "chunk_add": k["add"] * chunk,
            "reg_write": k["add"] * reg_word,
            "zero_mac_gated": k["add"] * zero_gated,
            "zero_mac_ungated": k["add"] * zero_ungated,
        }
        mac = actions["multiply"] + actions["product_round"] + actions["accumulate"]
        out_rows.append({
            "name": r["name"], "label": r["label"],
            "actions_pj": {a: round(x, 5) for a, x in actions.items()},
            "mac_pj": round(mac, 5),
            "switched_um2_per_nonzero_mac": {c: round(x, 2) for c, x in per.items()},
            "switched_um2_per_chunk_add": round(chunk, 2),
            "flip_flop_toggle_rate": round(toggle_rate, 4),
            "zero_operand_fraction": round(zz / (nz + zz), 4),
            "golden_check": f"{counts['streams']} chunked dot products bit-exact",
        })
        print(f"energy_table: {r['name']}: MAC {mac:.4f} pJ (mul {actions['multiply']:.4f}, "
              f"round {actions['product_round']:.4f}, acc {actions['accumulate']:.4f}), chunk add "
              f"{actions['chunk_add']:.4f} pJ, reg write {actions['reg_write']:.4f} pJ",
              file=sys.stderr)
    out = {
        "schema": "lbasim-energy-1",
        "method": "zero-delay gate-level simulation of the mapped NanGate45-subset netlists "
                  "(tools/area/energy_table.py); switched capacitance ~ cell area per output "
                  "toggle; scales fitted on Horowitz ISSCC 2014 45 nm FP add/multiply anchors",
        "calibration": {
            "pj_per_um2_toggle": {"add": k["add"], "mul": k["mul"], "single": k_single},
            "clock_toggles_per_flip_flop_cycle": CLOCK_TOGGLES_PER_CYCLE,
            "anchors": anchors,
        },
        "stimulus": {"k": args.k, "streams": args.streams, "chunk": args.chunk,
                     "seed": args.seed, "anchor_vectors": args.anchor_vectors,
                     "kind": "lbasim area --write-stimulus: ReLU(N(0,1)) activations, He "
                             "N(0, 2/k) weights, W/A quantized with per-tensor 2^s scales"},
        "memory": {"source": "Horowitz ISSCC 2014, 45 nm: 64-bit SRAM access 8 KB 10 pJ, "
                             "32 KB 20 pJ, 1 MB 100 pJ; DRAM 1.3-2.6 nJ per 64 bits (midpoint)",
                   "sram_pj_per_byte": HOROWITZ_SRAM, "dram_pj_per_byte": HOROWITZ_DRAM},
        "configs": out_rows,
    }
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    os.replace(tmp, args.out)
    print(f"{'row':<8} {'MAC pJ':>8} {'mul':>7} {'round':>7} {'acc':>7} {'chunk':>7} "
          f"{'regw':>7} {'zero':>7}")
    for r in out_rows:
        a = r["actions_pj"]
        print(f"{r['name']:<8} {r['mac_pj']:>8.4f} {a['multiply']:>7.4f} {a['product_round']:>7.4f}"
              f" {a['accumulate']:>7.4f} {a['chunk_add']:>7.4f} {a['reg_write']:>7.4f} "
              f"{a['zero_mac_ungated']:>7.4f}")
    print("anchors: " + ", ".join(f"{n} {x['target_pj']} -> {x['model_pj']:.3f} pJ"
                                  for n, x in anchors.items()))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

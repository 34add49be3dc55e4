"""The one description of the RTL for every tool that builds it (docs/rtl.md): its source files,
and the Verilog parameters of a number format. CMake (the Verilator models), the lint script
and the synthesis flow all call this module, so they cannot drift apart.

  python3 -m lba.rtl sources                            # one absolute path per line
  python3 -m lba.rtl include                            # the `include folder (-I)
  python3 -m lba.rtl params --cmake A=M4E3b3 W=M4E3b3 P=M7E4b12 ACC=M7E4b10 CACC=M7E4b10
  python3 -m lba.rtl params --yosys ACC=M7E4b10:rne     # chparam -set arguments
  python3 -m lba.rtl params --json ACC=M7E4b10:rne
  python3 -m lba.rtl params --cmake --chunk-lane column ACC=M7E4b10    # + -GCHUNK_COLUMN=1
  python3 -m lba.rtl params --yosys --stages 2 ACC=M7E4b10             # + -set STAGES 2

A format is spelled as lbasim::num::Format::to_string() writes it: M<man>E<exp>b<bias> (bias
explicit) followed by the policies that differ from rtz/flush/saturate/specials none, as
keywords (rtz, rne, flush, subnormal, saturate, inf, ieee; each field at most once). Callers
holding other spellings (presets such as fp16, a default bias) canonicalize them with lbasim's
parser first; tests/rtl checks this module against that parser.
"""
import argparse
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RTL_DIR = os.path.join(ROOT, "rtl")
INCLUDE_DIR = os.path.join(RTL_DIR, "include")  # parameter lists shared by the modules

# Every synthesizable file of the RTL. Tools read them all and pick a top module.
SOURCES = [
    "fmaq/fp_lzc.v", "fmaq/fp_unpack.v", "fmaq/fp_round.v", "fmaq/fp_mul.v", "fmaq/fp_add.v",
    "fmaq/fmaq.v", "fused/fused_dot.v",
    "pe/chunk_lane.v", "pe/pe_core.v", "pe/ws_pe.v", "pe/os_pe.v", "pe/fused_ws_pe.v",
    "array/delay_line.v", "array/systolic_ws.v", "array/systolic_os.v",
]

# Parameter prefixes of formats a module produces (rounding and overflow apply); the others
# (A, W, X, Y) are inputs, which only decode.
OUTPUT_PREFIXES = ("P", "ACC", "CACC", "Z")
INPUT_PREFIXES = ("A", "W", "X", "Y")

# keyword -> (policy field, Verilog parameter, value)
_KEYWORDS = {
    "rtz": ("rounding", "RNE", 0), "rne": ("rounding", "RNE", 1),
    "flush": ("underflow", "SUB", 0), "subnormal": ("underflow", "SUB", 1),
    "saturate": ("overflow", "INF", 0), "inf": ("overflow", "INF", 1),
    "ieee": ("specials", "IEEE", 1),
}
MAX_WIDTH = 64  # ports carry a code in one 64-bit word on the C++ side


class FormatError(ValueError):
    pass


def sources():
    return [os.path.join(RTL_DIR, f) for f in SOURCES]


def _strip_comments(text):
    return re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)


def design_files(top):
    """The RTL files a design whose top module is `top` is built from: the files of the modules
    it instantiates, transitively, and the `include files they read (paths relative to the
    tree, sorted). A power table row records their hashes; edits elsewhere in rtl/ leave it
    valid."""
    modules, includes = {}, {}
    for path in sources():
        text = _strip_comments(open(path).read())
        includes[path] = [os.path.join(INCLUDE_DIR, f)
                          for f in re.findall(r'`include\s+"([^"]+)"', text)]
        for name, body in re.findall(r"\bmodule\s+(\w+)(.*?)\bendmodule\b", text, re.S):
            modules[name] = (path, body)
    if top not in modules:
        raise FormatError(f"module {top}: not in the RTL sources ({', '.join(SOURCES)})")
    seen, todo = set(), [top]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        body = modules[name][1]
        todo += [m for m in modules
                 if re.search(rf"\b{m}\s*(#\s*\(|[A-Za-z_]\w*\s*(\[[^\]]*\]\s*)?\()", body)]
    files = {modules[m][0] for m in seen}
    files |= {inc for f in list(files) for inc in includes[f]}
    return sorted(os.path.relpath(f, ROOT) for f in files)


def yosys_read():
    """The Yosys command that reads the whole RTL."""
    return f"read_verilog -I{INCLUDE_DIR} " + " ".join(sources())


def format_params(fmt):
    """{MAN, EXP, BIAS, SUB, IEEE, RNE, INF} of a canonical format string."""
    parts = fmt.strip().lower().split(":")
    m = re.fullmatch(r"m(\d+)e(\d+)b(-?\d+)", parts[0])
    if not m:
        raise FormatError(f"format '{fmt}': expected M<man>E<exp>b<bias> with an explicit bias "
                          "(canonicalize presets and default biases with lbasim's parser)")
    p = {"MAN": int(m.group(1)), "EXP": int(m.group(2)), "BIAS": int(m.group(3)),
         "SUB": 0, "IEEE": 0, "RNE": 0, "INF": 0}
    seen = set()
    for word in parts[1:]:
        if word not in _KEYWORDS:
            raise FormatError(f"format '{fmt}': policy '{word}' is not in the RTL; expected "
                              f"one of {', '.join(_KEYWORDS)}")
        field, name, value = _KEYWORDS[word]
        if field in seen:
            raise FormatError(f"format '{fmt}': {field} is given twice")
        seen.add(field)
        p[name] = value
    if p["MAN"] < 1:
        raise FormatError(f"format '{fmt}': the RTL needs at least 1 mantissa bit")
    if p["EXP"] < 1 or 1 + p["EXP"] + p["MAN"] > MAX_WIDTH:
        raise FormatError(f"format '{fmt}': the RTL needs 1 or more exponent bits and at most "
                          f"{MAX_WIDTH} bits in all")
    if p["IEEE"] and p["EXP"] < 2:
        raise FormatError(f"format '{fmt}': specials ieee need 2 or more exponent bits")
    if p["INF"] and not p["IEEE"]:
        raise FormatError(f"format '{fmt}': overflow inf needs specials ieee")
    return p


def verilog_params(prefix, fmt):
    """{PREFIX_NAME: value} of one format port group; RNE and INF only for output formats."""
    if prefix not in OUTPUT_PREFIXES + INPUT_PREFIXES:
        raise FormatError(f"parameter prefix '{prefix}': expected one of "
                          f"{', '.join(INPUT_PREFIXES + OUTPUT_PREFIXES)}")
    p = format_params(fmt)
    if prefix in INPUT_PREFIXES:  # decoding a code does not round or overflow
        del p["RNE"], p["INF"]
    return {f"{prefix}_{k}": v for k, v in p.items()}


# The array option chunk_lane (docs/systolic.md) -> CHUNK_COLUMN of ws_pe, pe_core and
# systolic_ws: 'pe' a chunk adder in every PE, 'column' one chunk accumulator per column bottom.
CHUNK_LANES = {"pe": 0, "column": 1}


# The PE's pipeline (ws_pe, pe_core): 1, or 2 with a register after the product.
STAGES = (1, 2)


def design_params(assignments, chunk_lane=None, stages=None):
    """Parameters of several port groups, e.g. {"A": "M4E3b3", "ACC": "M7E4b10"}, and of the
    chunk lane placement and the PE's stages when given."""
    out = {}
    for prefix, fmt in assignments.items():
        out.update(verilog_params(prefix, fmt))
    if chunk_lane is not None:
        if chunk_lane not in CHUNK_LANES:
            raise FormatError(f"chunk lane '{chunk_lane}': expected pe or column")
        out["CHUNK_COLUMN"] = CHUNK_LANES[chunk_lane]
    if stages is not None:
        if stages not in STAGES:
            raise FormatError(f"stages {stages}: expected 1 or 2")
        out["STAGES"] = stages
    return out


def _main(argv):
    ap = argparse.ArgumentParser(prog="python3 -m lba.rtl", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("sources", help="the RTL's source files, one per line")
    sub.add_parser("include", help="the folder of the RTL's `include files")
    pp = sub.add_parser("params", help="Verilog parameters of PREFIX=FORMAT assignments")
    style = pp.add_mutually_exclusive_group(required=True)
    style.add_argument("--cmake", action="store_true", help="-GNAME=VALUE;... for Verilator")
    style.add_argument("--yosys", action="store_true", help="-set NAME VALUE ... for chparam")
    style.add_argument("--json", action="store_true", help="one JSON object")
    pp.add_argument("--chunk-lane", help="pe or column: also sets CHUNK_COLUMN")
    pp.add_argument("--stages", type=int, help="1 or 2 (ws_pe): also sets STAGES")
    pp.add_argument("assign", nargs="+", metavar="PREFIX=FORMAT")
    args = ap.parse_args(argv)
    if args.cmd == "sources":
        print("\n".join(sources()))
        return 0
    if args.cmd == "include":
        print(INCLUDE_DIR)
        return 0
    groups = {}
    for a in args.assign:
        prefix, eq, fmt = a.partition("=")
        if not eq:
            print(f"lba.rtl: '{a}': expected PREFIX=FORMAT", file=sys.stderr)
            return 2
        groups[prefix.upper()] = fmt
    try:
        params = design_params(groups, args.chunk_lane, args.stages)
    except FormatError as e:
        print(f"lba.rtl: {e}", file=sys.stderr)
        return 1
    if args.cmake:
        print(";".join(f"-G{k}={v}" for k, v in params.items()))
    elif args.yosys:
        print(" ".join(f"-set {k} {v}" for k, v in params.items()))
    else:
        print(json.dumps(params))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

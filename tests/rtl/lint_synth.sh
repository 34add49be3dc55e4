#!/usr/bin/env bash
# Lints the RTL with Verilator (-Wall, several tops and parameter sets) and synthesizes the PEs
# with Yosys, failing on any warning, error or inferred latch. Files and format parameters come
# from tools/lba/rtl.py, as for every other tool. Usage: lint_synth.sh <source root>
set -euo pipefail
root=${1:?usage: lint_synth.sh <source root>}
rtl() { PYTHONPATH="$root/tools" /usr/bin/python3 -m lba.rtl "$@"; }
mapfile -t srcs < <(rtl sources)
inc=$(rtl include)

lint() {
  echo "verilator --lint-only -Wall $*"
  verilator --lint-only -Wall -I"$inc" "${srcs[@]}" "$@"
}
gparams() { rtl params --cmake "$@" | tr ';' ' '; }
# shellcheck disable=SC2046  # word splitting of the -G list is intended
{
  lint --top-module fmaq
  lint --top-module fmaq $(gparams P=M7E4b12:rne ACC=M3E4b7:rne:subnormal)
  lint --top-module fmaq $(gparams A=M2E5b15:subnormal:ieee W=M2E5b15:subnormal:ieee \
    ACC=M23E8b127:rne:subnormal:inf:ieee)
  # The chunk lane: M7E4b10 chunk sums into an FP16 running output.
  lint --top-module chunk_lane $(gparams CACC=M10E5b15:rne:subnormal:inf:ieee)
  lint --top-module ws_pe
  lint --top-module ws_pe $(gparams ACC=M6E5b15:rne:subnormal CACC=M9E5b15:rne:subnormal)
  lint --top-module os_pe
  lint --top-module os_pe $(gparams CACC=M23E8b127:rne:subnormal:inf:ieee)
  lint --top-module systolic_ws -GROWS=2 -GCOLS=3
  # Chunk lane 'column': PEs without the chunk lane, chunk accumulators at the column bottoms.
  lint --top-module ws_pe $(gparams --chunk-lane column ACC=M7E4b10)
  lint --top-module systolic_ws -GROWS=3 -GCOLS=2 \
    $(gparams --chunk-lane column ACC=M6E5b15:rne:subnormal CACC=M9E5b15:rne:subnormal)
  lint --top-module systolic_os -GROWS=3 -GCOLS=2
  # The fused dot-product unit: Hopper FP8 (defaults), a small unit with F below the
  # accumulator's significand, FP16 operands into FP32 with F = 25.
  lint --top-module fused_dot
  lint --top-module fused_dot -GG=2 -GF=2 $(gparams A=M1E2b1:subnormal W=M1E2b1:subnormal \
    ACC=M3E3b3:rne:subnormal:inf:ieee)
  lint --top-module fused_dot -GG=16 -GF=25 $(gparams A=M10E5b15:subnormal:ieee \
    W=M10E5b15:subnormal:ieee ACC=M23E8b127:subnormal:inf:ieee)
  # The 2-stage PE (a register after the product), with both chunk lane placements.
  lint --top-module ws_pe $(gparams --stages 2 ACC=M7E4b10)
  lint --top-module ws_pe $(gparams --stages 2 --chunk-lane column \
    ACC=M10E5b15:rne:subnormal:inf:ieee CACC=M10E5b15:rne:subnormal:inf:ieee)
  # The fused PE and the WS array of them (FUSED = 1), both chunk lanes.
  lint --top-module fused_ws_pe
  lint --top-module fused_ws_pe -GG=4 -GF=4 -GCHUNK_COLUMN=1
  lint --top-module systolic_ws -GROWS=3 -GCOLS=2 -GFUSED=1 -GG=4 -GF=4 \
    $(gparams A=M3E4b7:subnormal W=M3E4b7:subnormal ACC=M3E4b7:rne:subnormal \
    CACC=M6E5b15:rne:subnormal)
  lint --top-module systolic_ws -GROWS=2 -GCOLS=3 -GFUSED=1 -GG=3 -GF=13 -GCHUNK_COLUMN=1
}

synth() {
  local top=$1 chparams=$2 log
  log=$(mktemp)
  echo "yosys synth -top $top $chparams"
  yosys -q -l "$log" -p "read_verilog -I$inc ${srcs[*]}; $chparams synth -top $top;
      select -assert-none t:\$dlatch t:\$_DLATCH_*; tee -o /dev/stdout stat" >/dev/null
  grep -E "Number of cells" "$log" | tail -1 || true
  if grep -iE "warning|latch inferred|error" "$log" | grep -v "No latch inferred"; then
    echo "yosys reported the lines above for $top" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}
synth ws_pe ""
synth ws_pe "chparam $(rtl params --yosys --chunk-lane column ACC=M7E4b10) ws_pe;"
synth ws_pe "chparam $(rtl params --yosys --stages 2 ACC=M7E4b10) ws_pe;"
synth os_pe ""
synth chunk_lane "chparam $(rtl params --yosys CACC=M10E5b15:rne:subnormal:inf:ieee) chunk_lane;"
synth fused_dot "chparam -set G 4 fused_dot;"
synth fused_ws_pe "chparam -set G 2 fused_ws_pe;"
echo "rtl lint and synthesis: clean"

#!/usr/bin/env bash
# Lints the fmaq RTL with Verilator (-Wall, several parameter sets) and synthesizes it with
# Yosys, failing on any warning, error or inferred latch. Usage: lint_synth.sh <rtl/fmaq dir>
set -euo pipefail
dir=${1:?usage: lint_synth.sh <rtl/fmaq dir>}
srcs=(fp_lzc.v fp_unpack.v fp_round.v fp_mul.v fp_add.v fmaq.v fmaq_pe.v)
cd "$dir"

lint() {
  echo "verilator --lint-only -Wall $*"
  verilator --lint-only -Wall "${srcs[@]}" "$@"
}
ieee32="-GACC_MAN=23 -GACC_EXP=8 -GACC_BIAS=127 -GACC_SUB=1 -GACC_IEEE=1 -GACC_RNE=1 -GACC_INF=1"
e5m2a="-GA_MAN=2 -GA_EXP=5 -GA_BIAS=15 -GA_SUB=1 -GA_IEEE=1"
e5m2w="-GW_MAN=2 -GW_EXP=5 -GW_BIAS=15 -GW_SUB=1 -GW_IEEE=1"
lint --top-module fmaq
lint --top-module fmaq_pe
lint --top-module fp_add
lint --top-module fmaq -GP_RNE=1 -GACC_RNE=1 -GACC_SUB=1 -GACC_MAN=3 -GACC_EXP=4 -GACC_BIAS=7
# shellcheck disable=SC2086
lint --top-module fmaq $ieee32 $e5m2a $e5m2w
# The chunk accumulator: M7E4b10 chunk sums into an FP16 running output.
lint --top-module fp_add -GX_MAN=10 -GX_EXP=5 -GX_BIAS=15 -GZ_MAN=10 -GZ_EXP=5 -GZ_BIAS=15

synth() {
  local top=$1 chparams=$2 log
  log=$(mktemp)
  echo "yosys synth -top $top $chparams"
  yosys -q -l "$log" -p "read_verilog ${srcs[*]}; $chparams synth -top $top;
      select -assert-none t:\$dlatch t:\$_DLATCH_*; tee -o /dev/stdout stat" >/dev/null
  grep -E "Number of cells" "$log" | tail -1 || true
  if grep -iE "warning|latch inferred|error" "$log" | grep -v "No latch inferred"; then
    echo "yosys reported the lines above for $top" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}
synth fmaq_pe ""
synth fp_add "chparam -set Z_MAN 10 -set Z_EXP 5 -set Z_BIAS 15 -set X_MAN 10 -set X_EXP 5 -set X_BIAS 15 fp_add;"
echo "rtl lint and synthesis: clean"

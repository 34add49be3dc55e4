#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang, ASan and UBSan into build-fuzz/ and runs
# each one. See docs/robustness.md.
# Usage: tools/fuzz.sh [--short | --time SECONDS | --runs N] [harness ...]
#   --short       ~20 s per harness (CI)
#   --time S      S seconds per harness (default 60)
#   --runs N      N executions per harness (e.g. --runs 10000000), fixed seed: reproducible
# New corpus entries go to build-fuzz/corpus/<harness>/ (seeded from fuzz/corpus/<harness>/);
# a crash leaves build-fuzz/artifacts/<harness>/crash-* and makes the script fail.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=(-max_total_time=60)
while (($#)); do
  case $1 in
    --short) limit=(-max_total_time=20); shift ;;
    --time) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2" -seed=1); shift 2 ;;
    -h | --help) sed -n 2,9p "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
all=(format_parse_fuzz format_json_fuzz accum_config_fuzz npy_read_fuzz trace_manifest_fuzz)
harnesses=("${@:-${all[@]}}")

tools/setup.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Fuzz \
  -DCMAKE_CXX_FLAGS_FUZZ="-O2 -g1" -DLBASIM_FUZZ=ON -DLBASIM_BUILD_TESTS=OFF -DLBASIM_RTL_MODELS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${harnesses[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for h in "${harnesses[@]}"; do
  corpus=build-fuzz/corpus/$h
  artifacts=build-fuzz/artifacts/$h
  mkdir -p "$corpus" "$artifacts"
  dict=fuzz/format.dict
  [[ $h == npy_read_fuzz ]] && dict=fuzz/npy.dict
  echo "== $h (${limit[*]})"
  # -timeout: one input taking > 10 s is a hang; -rss_limit_mb: runaway allocation is a bug too.
  if ! build-fuzz/fuzz/"$h" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -dict="$dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
      "$corpus" "fuzz/corpus/$h" 2>"build-fuzz/$h.log"; then
    failed+=("$h")
    tail -40 "build-fuzz/$h.log" >&2
  fi
  grep -E '^stat::number_of_executed_units|^Done ' "build-fuzz/$h.log" || true
done
if ((${#failed[@]})); then
  echo "fuzz.sh: FAILED: ${failed[*]} (inputs in build-fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: ${#harnesses[@]} harnesses clean"

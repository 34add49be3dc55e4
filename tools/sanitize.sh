#!/usr/bin/env bash
# Builds lbasim with AddressSanitizer + UndefinedBehaviorSanitizer (GCC, every report fatal) into
# build-asan/ and runs the test suite there. See docs/robustness.md.
# Usage: tools/sanitize.sh [--ci] [extra cmake -D options]
#   (default) build everything, run every test but the PyTorch extension's
#   --ci      skip the Verilated-RTL suites (tests/rtl: slow to compile, and the RTL has its own
#             Verilator lint), the PyTorch extension test (a Python process cannot load
#             an ASan-instrumented library) and the two tests whose time goes to PyTorch rather
#             than lbasim (the torchvision and round-trip imports) so that
#             the job fits CI; everything else runs.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=0
if [[ ${1:-} == --ci ]]; then
  ci=1
  shift
fi
jobs=$(nproc)

tools/setup.sh
# -O1: sanitizer reports stay readable and the build is faster; -g1 gives file:line in stacks.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" \
  -DLBASIM_SANITIZE=ON -DLBASIM_BUILD_TESTS=ON "$@" >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if ((ci)); then
  # Per-directory targets of the Ninja generator: everything but the RTL test models.
  targets=(sim/all)
  for dir in tests/*/; do
    dir=${dir%/}
    [[ $dir == tests/rtl ]] && continue
    [[ -f $dir/CMakeLists.txt ]] && targets+=("$dir/all")
  done
  cmake --build build-asan -j "$jobs" --target "${targets[@]}"
  ctest --test-dir build-asan -j "$jobs" --output-on-failure --timeout 900 \
    -LE 'verilator|finetune' \
    -E '^(rtl_|verilator_|onnx\.torchvision|onnx\.roundtrip)'
else
  cmake --build build-asan -j "$jobs"
  ctest --test-dir build-asan -j "$jobs" --output-on-failure --timeout 900 -LE finetune
fi

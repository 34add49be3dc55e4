#!/usr/bin/env bash
# Builds lbasim with AddressSanitizer + UndefinedBehaviorSanitizer (GCC, every report fatal) into
# build-asan/ and runs the test suite there. See docs/robustness.md.
# Usage: tools/sanitize.sh [--ci] [extra cmake -D options]
#   (default) build everything, run every test but the PyTorch extension's
#   --ci      configure with -DLBASIM_RTL_MODELS=OFF: no Verilated model (their generated C++ is
#             not instrumented anyway, and compiling it again took a fifth of the job), so
#             tests/rtl, the co-simulation suites and `lbasim cosim`/`verify fmaq` are left
#             out; also the PyTorch extension test (a Python process cannot load an
#             ASan-instrumented library) and the two tests whose time goes to PyTorch rather
#             than lbasim (the torchvision and round-trip imports), so that the job fits CI;
#             everything else runs.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=0
if [[ ${1:-} == --ci ]]; then
  ci=1
  shift
fi
jobs=$(nproc)

tools/setup.sh
rtl_models=ON
((ci)) && rtl_models=OFF
# -O1: sanitizer reports stay readable and the build is faster; -g1 gives file:line in stacks.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" \
  -DLBASIM_SANITIZE=ON -DLBASIM_BUILD_TESTS=ON -DLBASIM_RTL_MODELS=$rtl_models "$@" >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

cmake --build build-asan -j "$jobs"
if ((ci)); then
  ctest --test-dir build-asan -j "$jobs" --output-on-failure --timeout 900 \
    -LE 'verilator|finetune' -E '^(onnx\.torchvision|onnx\.roundtrip)'
else
  ctest --test-dir build-asan -j "$jobs" --output-on-failure --timeout 900 -LE finetune
fi

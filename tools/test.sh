#!/usr/bin/env bash
# The README's second command: install what is missing, build, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh -DLBASIM_BUILD_TESTS=ON
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 900

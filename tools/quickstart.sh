#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh -DLBASIM_BUILD_TESTS=OFF
build/sim/lbasim demo

#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the main job: the shipped
# Fashion-MNIST ResNet trace under the paper's 12-bit accumulator, beside FP32.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh -DLBASIM_BUILD_TESTS=OFF
build/sim/lbasim run --trace traces/data/resnet-fmnist --config configs/paper.json

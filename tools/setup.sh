#!/usr/bin/env bash
# Installs every Debian package lbasim needs, only those still missing (idempotent).
# Run as root on Debian 12. Usage: tools/setup.sh
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build clang-format
  clang libclang-rt-14-dev
  libfmt-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libmpfr-dev libgmp-dev
  libsystemc-dev verilator yosys
  qflow-tech-osu018 opensta iverilog
  python3 python3-numpy python3-torch dataset-fashion-mnist python3-onnx libonnx-testdata
  libtorch-dev python3-dev pybind11-dev python3-torchvision
  chromium
  slurm-wlm munge
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages: ${missing[*]}; run as root or install them with apt-get" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

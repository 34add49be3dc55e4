// The rows of the power table (docs/cost.md): the paper's accumulator and the usual
// alternatives. Every row shares the trace's FP8 W/A format and the chunk size 16; the product
// is rounded into the accumulator format except in the paper's row, and the chunk accumulator
// is the accumulator format. The rows at Hopper's M13E8 accumulator (the FMAq chain's m13e8
// with exact products, the fused PE rows f32_m13e8 / f4_m13e8) have one chunk, as hopper_fp8.
#pragma once

#include <string>
#include <vector>

#include "lbasim/numerics/accumulate.h"

namespace lbasim::power {

struct PowerConfig {
  std::string name, label;
  num::AccumConfig config;
  // Not the array's ws_pe but a dot-product unit without registers (dot_unit_design): the
  // FMAq chain's step, or with config.fused the fused unit. Named explicitly, not in "all"; their
  // rows live in models/cost/data/power_osu018_units.json (docs/tensor-core.md).
  bool unit = false;
};

// The PE a row's flow builds: "fused" (fused_ws_pe) for a PE row with config.fused, else
// "fmaq" (ws_pe / os_pe; the dot-product units too, they take no --pe).
std::string pe_kind(const PowerConfig& c);

const std::vector<PowerConfig>& power_configs();
// The rows named in a comma-separated list ("all" or empty: every PE row of PE kind `pe`).
// Throws InputError naming `what`, the unknown name and the known ones, or (unless `any_pe`) a
// named PE row of the other kind.
std::vector<PowerConfig> select_configs(const std::string& list, const std::string& what,
                                        const std::string& pe = "fmaq", bool any_pe = false);

// IEEE units of the Horowitz check: {name, op, format, Horowitz's 45 nm pJ}.
struct AnchorUnit {
  std::string name, op, format;
  double horowitz_pj;
};
const std::vector<AnchorUnit>& anchor_units();

}  // namespace lbasim::power

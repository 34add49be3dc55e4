#include "power_configs.h"

#include <fmt/format.h>

#include <sstream>

#include "lbasim/base/error.h"

namespace lbasim::power {
namespace {

PowerConfig row(const char* name, const char* label, const char* product, const char* acc) {
  const num::Format p = num::parse_format(product), a = num::parse_format(acc);
  return {name, label, {p, a, a, 16}};
}

// Dot-product units at Hopper's FP8 accumulator (M13E8 rtz): the FMAq chain's step with exact
// (M7E8) e4m3 products, and fused units of g terms, F = 13.
constexpr const char* kUnitAcc = "M13E8:rtz:subnormal:ieee:inf";
PowerConfig unit_row(const char* name, const char* label, int terms) {
  PowerConfig c = row(name, label, "M7E8b127:rtz:subnormal", kUnitAcc);
  c.config.chunk = 0;
  c.unit = true;
  if (terms > 0) c.config.fused = num::FusedOrder{terms, 13, true};
  return c;
}

// The FMAq chain's PE (ws_pe) at that accumulator, for comparing the arrays at equal
// accumulator width: the products of the trace's M4E3 codes held exactly (M9E8), one chunk.
PowerConfig chain_pe_row(const char* name, const char* label) {
  PowerConfig c = row(name, label, "M9E8b127:rtz:subnormal", kUnitAcc);
  c.config.chunk = 0;
  return c;
}

// The array's fused PE (fused_ws_pe, `--pe fused`) at the same accumulator, g terms, F = 13,
// exact products, one chunk (configs/gpu/hopper_fp8.json is g = 32).
PowerConfig fused_pe_row(const char* name, const char* label, int terms) {
  PowerConfig c = unit_row(name, label, terms);  // the fused unit's config, in the array's PE
  c.unit = false;
  return c;
}

}  // namespace

const std::vector<PowerConfig>& power_configs() {
  static const std::vector<PowerConfig> rows = {
      row("fp32", "FP32 (M23E8, IEEE)", "fp32", "fp32"),
      row("fp16", "FP16 (M10E5, IEEE)", "fp16", "fp16"),
      row("bf16", "BF16 (M7E8, IEEE)", "bf16", "bf16"),
      row("m10e5", "M10E5 rtz/flush/sat", "M10E5b15", "M10E5b15"),
      row("m7e4", "M7E4b10 (paper)", "M7E4b12", "M7E4b10"),
      row("m6e5", "M6E5 rtz/flush/sat", "M6E5b15", "M6E5b15"),
      row("m3e4", "M3E4 8-bit rtz/flush/sat", "M3E4b7", "M3E4b7"),
      unit_row("chain_m13e8", "FMAq unit, M13E8 rtz", 0),
      unit_row("fused4_m13e8", "fused g4 F13, M13E8 rtz", 4),
      unit_row("fused32_m13e8", "fused g32 F13 (hopper_fp8)", 32),
      chain_pe_row("m13e8", "M13E8 rtz, exact products"),
      fused_pe_row("f32_m13e8", "fused PE g32 F13, M13E8 rtz", 32),
      fused_pe_row("f4_m13e8", "fused PE g4 F13, M13E8 rtz", 4),
  };
  return rows;
}

std::string pe_kind(const PowerConfig& c) { return !c.unit && c.config.fused ? "fused" : "fmaq"; }

std::vector<PowerConfig> select_configs(const std::string& list, const std::string& what,
                                        const std::string& pe, bool any_pe) {
  std::vector<PowerConfig> out;
  if (list.empty() || list == "all") {
    for (const auto& c : power_configs())
      if (!c.unit && pe_kind(c) == pe) out.push_back(c);
    return out;
  }
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    const PowerConfig* found = nullptr;
    for (const auto& c : power_configs())
      if (c.name == name) found = &c;
    if (!found) {
      std::string names;
      for (const auto& c : power_configs()) names += (names.empty() ? "" : ", ") + c.name;
      throw InputError(fmt::format("{} {}: unknown configuration '{}'; expected {} or all", what,
                                   list, name, names));
    }
    if (!any_pe && !found->unit && pe_kind(*found) != pe)
      throw InputError(fmt::format("{} {}: '{}' is a row of the {} PE, not of --pe {}", what, list,
                                   name, pe_kind(*found), pe));
    out.push_back(*found);
  }
  if (out.empty()) throw InputError(fmt::format("{} '{}': no configuration named", what, list));
  return out;
}

const std::vector<AnchorUnit>& anchor_units() {
  // Horowitz, "Computing's energy problem", ISSCC 2014: 45 nm, 0.9 V.
  static const std::vector<AnchorUnit> units = {{"fp32_add", "add", "fp32", 0.9},
                                                {"fp16_add", "add", "fp16", 0.4},
                                                {"fp32_mul", "mul", "fp32", 3.7},
                                                {"fp16_mul", "mul", "fp16", 1.1}};
  return units;
}

}  // namespace lbasim::power

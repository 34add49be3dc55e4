// The RTL designs the power flow synthesizes and simulates (docs/cost.md): which top module,
// the number format of each of its parameter groups, and the ports the stimulus drives and
// checks. The RTL's file list and the format -> Verilog parameter mapping live once, in
// tools/lba/rtl.py (docs/rtl.md); the flow applies them.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::power {

struct RtlDesign {
  std::string top;
  // Parameter group prefix (A, W, P, ACC, CACC, X, Y, Z) -> format, Format::to_string().
  std::vector<std::pair<std::string, std::string>> formats;
  bool clocked = true;
  std::vector<std::pair<std::string, int>> inputs;   // ports driven by the stimulus, in order
  std::vector<std::pair<std::string, int>> outputs;  // ports checked, in order
  // Output ports the hardware leaves unconnected (simulation-only event counters): synthesis
  // removes them and the logic that only they use.
  std::vector<std::string> unused_outputs;
  // Verilog parameters besides the formats' (fused_dot's G and F).
  std::vector<std::pair<std::string, int>> extra_params;
};

// Formats of the PE's operands and stages.
struct PeFormats {
  num::Format a, w, product, accumulator, chunk_accumulator;
};

// The array's weight-stationary PE, rtl/pe/ws_pe.v (pe_core: fmaq + the chunk lane).
RtlDesign ws_pe_design(const PeFormats& f);
// One IEEE-style unit of rtl/fmaq: fp_add (x + y -> z) or fp_mul (a * w -> p), all ports in
// format f (the Horowitz check, docs/cost.md).
RtlDesign unit_design(const std::string& op, const num::Format& f);

// A dot-product unit with no registers, for comparing the FMAq chain and the fused order at
// one accumulator format (docs/tensor-core.md): rtl/fused/fused_dot.v with G = terms (fused)
// or rtl/fmaq/fmaq.v (the chain's step; product format `product`). Ports: the G (or one)
// activation and weight codes, acc_in; checked: acc_out.
struct DotUnitFormats {
  num::Format a, w, product, accumulator;
  int terms = 1, align_bits = 0;  // G and F of the fused unit
  bool fused = false;
};
RtlDesign dot_unit_design(const DotUnitFormats& f);

nlohmann::json to_json(const RtlDesign& d);

}  // namespace lbasim::power

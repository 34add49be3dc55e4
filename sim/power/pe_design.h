// The RTL designs the power flow synthesizes and simulates (docs/cost.md): which Verilog
// files, which top module and which parameters, in one place. When the array's PE changes
// (rtl/array), this file is the one to update.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::power {

struct RtlDesign {
  std::string top;
  std::vector<std::string> files;  // relative to the source tree
  std::vector<std::pair<std::string, int>> params;
  bool clocked = true;
  std::vector<std::pair<std::string, int>> inputs;   // ports driven by the stimulus, in order
  std::vector<std::pair<std::string, int>> outputs;  // ports checked, in order
};

// Formats of the PE's operands and stages.
struct PeFormats {
  num::Format a, w, product, accumulator, chunk_accumulator;
};

// The array's weight-stationary PE, rtl/array/ws_pe.v (fmaq + the chunk lane).
RtlDesign ws_pe_design(const PeFormats& f);
// One IEEE-style unit of rtl/fmaq: fp_add (x + y -> z) or fp_mul (a * w -> p), all ports in
// format f (the Horowitz check, docs/cost.md).
RtlDesign unit_design(const std::string& op, const num::Format& f);

nlohmann::json to_json(const RtlDesign& d);

}  // namespace lbasim::power

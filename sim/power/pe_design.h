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
  // The chunk lane placement of a PE ("pe", "column": CHUNK_COLUMN, lba.rtl); empty: none.
  std::string chunk_lane;
  int stages = 0;  // a PE's pipeline stages (STAGES, lba.rtl); 0: not a parameter
  // Parameter groups that are inputs of this module although their prefix names an output
  // format elsewhere (chunk_lane's psum, ACC): decoded only, no rounding or overflow params.
  std::vector<std::string> input_groups;
  // Verilog parameters besides the formats' (fused_dot's G and F).
  std::vector<std::pair<std::string, int>> extra_params;
};

// Formats of the PE's operands and stages.
struct PeFormats {
  num::Format a, w, product, accumulator, chunk_accumulator;
};

// The array's weight-stationary PE, rtl/pe/ws_pe.v (pe_core: fmaq + the chunk lane), with its
// chunk lane placement: "pe" (CHUNK_COLUMN = 0) or "column" (1, no chunk lane in the PE),
// and its stages (STAGES: 1, or 2 with a register after the product).
RtlDesign ws_pe_design(const PeFormats& f, const std::string& chunk_lane = "pe", int stages = 1);
// The array's weight-stationary fused PE, rtl/pe/fused_ws_pe.v (fused_dot of G terms with F
// align bits + the chunk lane, chunk lane pe): G-code weight and activation ports; its
// simulation-only event and term-flag outputs are dropped as ws_pe's events. f.product is
// unused (the products are exact).
RtlDesign fused_ws_pe_design(const PeFormats& f, int terms, int align_bits);
// The array's output-stationary PE, rtl/pe/os_pe.v: the ports the single-buffered schedule
// drives and checks (its takes_up / overrun handshake outputs are kept but not checked).
RtlDesign os_pe_design(const PeFormats& f);
// The chunk accumulator at a column bottom with chunk lane 'column' (rtl/pe/chunk_lane.v as
// rtl/array/systolic_ws.v places it: combinational, add / psum / running sum in, sum out).
RtlDesign column_lane_design(const PeFormats& f);
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

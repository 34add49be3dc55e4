// Operand streams for the gate-level simulation of the power flow (docs/cost.md), with the
// golden model's expected outputs: the PE of a weight-stationary array on a shipped trace's
// layer in the array's real order, or an IEEE unit on random operands.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "pe_design.h"

namespace lbasim::traces {
struct Trace;
}

namespace lbasim::power {

struct Stimulus {
  RtlDesign design;
  // Per cycle: the input ports' codes (design.inputs order; a port wider than 64 bits takes
  // ceil(width / 64) consecutive words, most significant first), the expected output codes
  // (design.outputs order, wide ports as the inputs; nullopt: not checked, a wide port by its
  // first word) and whether the cycle is a MAC cycle.
  std::vector<std::vector<std::uint64_t>> inputs;
  std::vector<std::vector<std::optional<std::uint64_t>>> expected;
  std::vector<std::uint8_t> mac;
  std::int64_t warmup = 0;  // leading cycles left out of the activity (registers still X)
  nlohmann::json info;
};

struct WsStimulusOptions {
  std::string layer = "block2.conv2";
  int rows = 16, cols = 16;    // the array whose PE is simulated
  std::int64_t cycles = 2000;  // about this many cycles (whole tiles), over `positions` PEs
  int positions = 4;
  // Chunk lane 'column' (docs/systolic.md): the PE without its chunk lane (a chunk's psum
  // enters the column top as +0), and the column-bottom lane's own stimulus. The chunk must
  // be a multiple of `rows` or 0.
  bool column = false;
  // The PE's stages (ws_pe STAGES): 2 registers the product; the pairs then reach the PE one
  // cycle after their activations (docs/cost.md "The 2-stage PE").
  int stages = 1;
};

// The PE at a few positions of a rows x cols WS array running `layer` of `trace` on its first
// captured image: each position for consecutive tiles (weight load, skewed stream) starting at
// a different place in the GEMM. Operands are the layer's FP8 codes with its flexible bias
// (format bias minus the tensor's scale exponent), so the codes are the real ones.
Stimulus ws_pe_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                        const WsStimulusOptions& opt);

// The fused PE (rtl/pe/fused_ws_pe.v: cfg.fused's G terms and F align bits, chunk lane pe, 1
// stage) at the same positions of a rows x cols WS fused array on `layer`, in the order of the
// SystemC `--pe fused` array: the array's K is its steps (groups of up to G products of a
// chunk), each row of a tile loads G weight codes and takes G activation codes per stream
// cycle. Expected outputs from num::fused_step. The products are exact (cfg.product unused).
Stimulus fused_ws_pe_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                              const WsStimulusOptions& opt);

// The output-stationary PE (rtl/pe/os_pe.v, single-buffered: chain 0) at a few positions of a
// rows x cols OS array on `layer`: both operands streaming, PE(r, c) doing product k of output
// (m0 + r, n0 + c) in cycle start + k + r + c, then the tile's drain. Chunk lane pe, 1 stage.
Stimulus os_pe_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                        const WsStimulusOptions& opt);

// The column-bottom chunk_lane of the same array and layer with chunk lane 'column', at the
// columns of the same positions: the last row's psum and, where the word's K tile ends a
// chunk, `add` with the output's running sum. Its MAC cycles are the cycles that add.
Stimulus column_lane_stimulus(const traces::Trace& trace, const num::AccumConfig& cfg,
                              const WsStimulusOptions& opt);

// `cycles` random operand pairs, N(0, 1) rounded into f, for fp_add ("add") or fp_mul ("mul").
Stimulus unit_stimulus(const std::string& op, const num::Format& f, std::int64_t cycles,
                       std::uint64_t seed);

// A dot-product unit (dot_unit_design) accumulating dot products of k products each in
// `cycles` steps of G (fused) or one (FMAq) products: operands N(0, 1) rounded into the a and w
// formats, acc_in the previous step's golden result (+0 at an output's first step), expected
// acc_out from num::fused_step or num::fmaq.
Stimulus dot_unit_stimulus(const DotUnitFormats& f, std::int64_t k, std::int64_t cycles,
                           std::uint64_t seed);

// stimulus.json, inputs.hex, expected.hex in dir (created).
void write_stimulus(const Stimulus& s, const std::filesystem::path& dir);

}  // namespace lbasim::power

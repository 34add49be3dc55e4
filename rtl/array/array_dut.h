// A Verilated systolic array (systolic_ws or systolic_os) behind a plain, cycle-level interface,
// so the drivers and the co-simulation do not depend on one Verilated parameter set (dataflow,
// rows, columns, formats).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lbasim/numerics/format.h"
#include "lbasim/numerics/fused.h"
#include "lbasim/systemc/array_config.h"

namespace lbasim::rtl {

// What one array instance was built with.
struct ArrayParams {
  sysc::DataflowKind dataflow = sysc::DataflowKind::ws;
  sysc::ChunkLane chunk_lane = sysc::ChunkLane::pe;  // WS: systolic_ws CHUNK_COLUMN
  int rows = 0, cols = 0;
  num::Format a, w, product, accumulator, chunk_accumulator;  // product: unused when fused
  // WS PE kind (systolic_ws FUSED): absent ws_pe, the FMAq chain; set fused_ws_pe with G =
  // terms and F = align_bits (exact products).
  std::optional<num::FusedOrder> fused;
  std::string name;  // the Verilated configuration, e.g. "paper4x4"
  // Codes per operand word: the products of one PE step (1 for the FMAq PE).
  int terms() const { return fused ? fused->terms : 1; }
  // The operands' exponent floors as the RTL decodes codes (fused_dot: a subnormal operand's
  // exponent is its format's minimum normal one), for the golden and SystemC fused PEs.
  num::OperandFloors floors() const {
    num::OperandFloors f;
    f.a = num::operand_floor(a);
    if (const int fw = num::operand_floor(w); fw != num::kNoFloor) f.w = {fw};
    return f;
  }
};

// The ports of one clock cycle, both dataflows' (a port the model does not have is ignored);
// codes are sign|exponent|mantissa (lbasim::num::encode). Vectors shorter than the array
// leave the remaining rows/columns at 0. Operand words are ArrayParams::terms() codes each
// (the fused PE's group; 1 for the FMAq PE): act_data and w_data hold code i of row/column j at
// j * terms() + i, a short group with zero codes in its unused slots.
struct ArrayInputs {
  // WS weight load: the shadow weight registers of row w_row take w_data.
  bool w_load = false;
  int w_row = 0;
  std::vector<std::uint8_t> w_valid;  // OS: the weight row entering the top, per column
  std::vector<std::uint64_t> w_data;  // cols x terms()
  // Activations (unskewed) and their tags: first = WS the tile's row m = 0, OS product k = 0;
  // restart bit r = row r's product starts a chunk; last = OS product K - 1.
  std::vector<std::uint8_t> act_valid;  // rows
  std::vector<std::uint64_t> act_data;  // rows x terms()
  bool act_first = false, act_last = false;
  std::uint64_t act_restart = 0;
  // WS: the psum pairs entering the column tops, each column in its own cycle (skewed).
  std::vector<std::uint8_t> top_valid;             // cols
  std::vector<std::uint64_t> top_psum, top_chunk;  // cols
  // WS, chunk lane 'column': per column, with the word leaving its bottom, whether the column's
  // chunk accumulator adds it into the running sum bottom_chunk (read from the output buffer).
  std::vector<std::uint8_t> bottom_add;     // cols
  std::vector<std::uint64_t> bottom_chunk;  // cols
  // OS: double buffering (results drain down the columns), or the single-buffered drain of
  // row drain_row, over the columns written with cfg_en.
  bool chain = false;
  bool cfg_en = false;
  int cfg_cols = 0;
  bool drain_en = false;
  int drain_row = 0;
};

// PE events of one cycle (rtl/pe/pe_core.v): bit 0 MAC, 1 chunk add, [4:2] product,
// [8:5] accumulator, [12:9] chunk-add events.
using PeEventBits = std::uint16_t;

struct ArrayOutputs {
  std::vector<std::uint8_t> valid;                // cols
  std::vector<std::uint64_t> psum, chunk, value;  // cols
  std::vector<std::uint8_t> value_events;         // cols: events of Q_cacc(psum + chunk)
  std::vector<PeEventBits> pe_events;             // rows x cols, row-major
  // Fused arrays (empty otherwise): each PE's fused_dot term flags of the cycle, bit 0 the
  // running sum and bit 1 + i product i: alignment dropped bits, a non-zero term cut to zero.
  std::vector<std::uint64_t> pe_inexact_terms, pe_cut_terms;  // rows x cols
  bool overrun = false;  // OS: a result met a full drain register (a schedule error)
};

class ArrayDut {
 public:
  virtual ~ArrayDut() = default;
  virtual const ArrayParams& params() const = 0;
  // One cycle with rst high: clears every valid bit and the tile config.
  virtual void reset() = 0;
  // Drives `in`, settles, samples this cycle's outputs, then applies the rising clock edge.
  virtual ArrayOutputs cycle(const ArrayInputs& in) = 0;
  // VCD of the following cycles into `path` (once per DUT); dumping can be switched per cycle.
  virtual void open_vcd(const std::string& path) = 0;
  virtual void set_vcd_dump(bool on) = 0;
  virtual void close_vcd() = 0;
};

using ArrayDutFactory = std::unique_ptr<ArrayDut> (*)();

}  // namespace lbasim::rtl

// Each Verilated model library lbasim_rtl_array_<config> (rtl/array/CMakeLists.txt) defines
//   std::unique_ptr<lbasim::rtl::ArrayDut> lbasim::rtl::make_array_dut_<config>();
// LBASIM_ARRAY_DUT(config) names it (config may be a macro) and LBASIM_DECLARE_ARRAY_DUT
// declares it, at namespace scope, before use.
#define LBASIM_ARRAY_DUT_NAME_(config) make_array_dut_##config
#define LBASIM_ARRAY_DUT(config) ::lbasim::rtl::LBASIM_ARRAY_DUT_NAME_(config)
#define LBASIM_DECLARE_ARRAY_DUT(config)                      \
  namespace lbasim::rtl {                                     \
  std::unique_ptr<ArrayDut> LBASIM_ARRAY_DUT_NAME_(config)(); \
  }

// The Verilated weight-stationary array behind a plain, cycle-level interface, so the driver
// and the co-simulation do not depend on one Verilated parameter set (rows, columns, formats).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::rtl {

// What one systolic_ws instance was built with.
struct WsArrayParams {
  int rows = 0, cols = 0;
  num::Format a, w, product, accumulator, chunk_accumulator;
};

// The ports of one clock cycle; codes are sign|exponent|mantissa (lbasim::num::encode).
struct WsArrayInputs {
  bool cfg_en = false;
  int cfg_rows = 0, cfg_cols = 0;
  std::uint64_t cfg_restart = 0;  // bit r: row r starts a chunk
  bool w_load = false;
  int w_row = 0;
  std::vector<std::uint64_t> w_data;               // cols
  std::vector<std::uint8_t> act_valid;             // rows
  std::vector<std::uint64_t> act_data;             // rows
  std::vector<std::uint8_t> top_valid;             // cols
  std::vector<std::uint64_t> top_psum, top_chunk;  // cols
};

struct WsArrayOutputs {
  std::vector<std::uint8_t> valid;                // cols
  std::vector<std::uint64_t> psum, chunk, value;  // cols
};

class WsArrayDut {
 public:
  virtual ~WsArrayDut() = default;
  virtual const WsArrayParams& params() const = 0;
  // One cycle with rst high: clears every valid bit and the tile config.
  virtual void reset() = 0;
  // Drives `in`, settles, samples this cycle's outputs, then applies the rising clock edge.
  virtual WsArrayOutputs cycle(const WsArrayInputs& in) = 0;
  // VCD of the following cycles into `path` (once per DUT); dumping can be switched per cycle.
  virtual void open_vcd(const std::string& path) = 0;
  virtual void set_vcd_dump(bool on) = 0;
  virtual void close_vcd() = 0;
};

// Defined once per Verilated parameter set (ws_array_dut.cpp compiled with that model): a
// program links exactly one lbasim_rtl_array_<config> library.
std::unique_ptr<WsArrayDut> make_ws_array_dut();

}  // namespace lbasim::rtl

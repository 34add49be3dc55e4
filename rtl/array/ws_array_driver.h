// The controller around the RTL array, written apart from the SystemC model's: it tiles the
// GEMM (N tiles outer, K tiles inner), loads weights, streams activation rows and the parked
// psum pairs, and collects what leaves the bottom of the columns. A tile ends when all its
// words have come out, so the cycle counts are the RTL's own.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/dataflow.h"
#include "ws_array_dut.h"

namespace lbasim::rtl {

// A deliberately wrong stimulus: bit `bit` of the code of W[k][n] flipped for the RTL only.
struct WeightFault {
  std::int64_t k = 0, n = 0;
  int bit = 0;
};

class WsArrayDriver {
 public:
  // Operands are values of the DUT's A and W formats (InputError otherwise); they must
  // outlive the driver. The chunk size comes from cfg; its formats must be the DUT's.
  WsArrayDriver(WsArrayDut& dut, const double* a, const double* w, std::int64_t m, std::int64_t k,
                std::int64_t n, const num::AccumConfig& cfg,
                std::optional<WeightFault> fault = std::nullopt);

  bool done() const { return done_; }
  std::uint64_t cycles() const { return cycle_; }
  // One clock cycle; returns the words that left the array in it (decoded, with codes).
  struct Word {
    sysc::OutputWord word;
    std::uint64_t psum_code = 0, chunk_code = 0, value_code = 0;
  };
  std::vector<Word> step();
  const std::vector<double>& result() const { return c_; }

 private:
  void begin_tile();

  WsArrayDut& dut_;
  std::int64_t m_, k_, n_;
  num::AccumConfig cfg_;
  int rows_, cols_;
  std::int64_t chunk_;
  std::vector<std::uint64_t> a_codes_, w_codes_;
  std::vector<std::uint64_t> part_ps_, part_co_;  // parked pairs, m x cols codes
  std::vector<double> c_;
  std::vector<std::int64_t> col_words_;  // words received per column in this tile
  std::int64_t words_left_ = 0;
  std::int64_t k0_ = 0, n0_ = 0;
  int kt_ = 0, nt_ = 0;
  bool loading_ = false;
  std::int64_t t_ = 0;
  std::uint64_t cycle_ = 0;
  bool done_ = false;
};

}  // namespace lbasim::rtl

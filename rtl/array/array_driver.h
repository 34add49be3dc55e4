// The controllers around the RTL arrays, written apart from the SystemC model's: they tile the
// GEMM, feed the array through its ports and collect what leaves it. A tile ends when its
// last word has come out (WS) or its last row has drained (OS), so the cycle counts are the
// RTL's own. One driver per dataflow (ws_array_driver.cpp, os_array_driver.cpp) on a shared
// base (operands, fault, decoding).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "array_dut.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/dataflow.h"

namespace lbasim::rtl {

// A deliberately wrong stimulus: bit `bit` of the code of W[k][n] flipped for the RTL only.
struct WeightFault {
  std::int64_t k = 0, n = 0;
  int bit = 0;
};

// C = A W on an RTL array: operands are values of the DUT's A and W formats (InputError
// otherwise) and must outlive the driver; the chunk size comes from cfg, whose formats and
// order (FMAq chain, or fused with the DUT's terms and align bits) must be the DUT's.
struct GemmJob {
  const double* a = nullptr;
  const double* w = nullptr;
  std::int64_t m = 0, k = 0, n = 0;
  num::AccumConfig cfg;
  std::optional<WeightFault> fault;
  bool double_buffered = false;  // WS: load the next tile while one streams (docs/systolic.md)
};

// A word leaving the bottom of a column, decoded, with its codes.
struct RtlWord {
  sysc::OutputWord word;
  // The column-bottom chunk accumulator's output and events (word.value, word.events where
  // it added).
  std::uint64_t psum_code = 0, chunk_code = 0, value_code = 0;
  std::uint8_t value_events = 0;
};

// What the RTL did in one cycle.
struct RtlCycle {
  std::vector<RtlWord> words;
  std::vector<PeEventBits> pe_events;                         // rows x cols, row-major
  std::vector<std::uint64_t> pe_inexact_terms, pe_cut_terms;  // fused arrays (ArrayOutputs)
};

// InputError naming what differs when cfg is not what the RTL array computes: its formats,
// and the FMAq chain or the fused order with the array's G and F (exact products).
void check_config(const ArrayParams& p, const num::AccumConfig& cfg);

class ArrayDriver {
 public:
  virtual ~ArrayDriver() = default;
  bool done() const { return done_; }
  std::uint64_t cycles() const { return cycle_; }
  // One clock cycle.
  virtual RtlCycle step() = 0;
  const std::vector<double>& result() const { return c_; }

 protected:
  ArrayDriver(ArrayDut& dut, const GemmJob& job);
  // The tiles of a loop nest, outer dimension slowest: start and size in each dimension.
  struct TileSpan {
    std::int64_t outer0 = 0, inner0 = 0;
    int outer_size = 0, inner_size = 0;
  };
  static std::vector<TileSpan> tile_spans(std::int64_t outer, int outer_step, std::int64_t inner,
                                          int inner_step);
  // A dot product is steps_ PE steps (numerics contract, sections 3 and 7): chunks of
  // chunk_len_ products, each cut into groups of terms_ (the fused PE's G; 1 for the FMAq
  // PE), the last group of a chunk short. Does step s start a chunk other than the first?
  bool restarts(std::int64_t s) const { return s > 0 && s % chunk_steps_ == 0; }
  // The products [group_begin(s), group_end(s)) of step s.
  std::int64_t group_begin(std::int64_t s) const {
    return s / chunk_steps_ * chunk_len_ + s % chunk_steps_ * terms_;
  }
  std::int64_t group_end(std::int64_t s) const;
  // The terms_ codes of step s of A's row m / W's column n (zero codes past the group's end)
  // appended to `out`.
  void a_group(std::int64_t m, std::int64_t s, std::vector<std::uint64_t>& out) const;
  void w_group(std::int64_t s, std::int64_t n, std::vector<std::uint64_t>& out) const;
  // Decodes the word of column c in `out` as C[m][n] (or a partial pair when !final); `added`:
  // the column-bottom chunk accumulator added it (its value and events are kept; default: when
  // final).
  RtlWord decode(const ArrayOutputs& out, int c, std::int64_t m, std::int64_t n, bool final,
                 std::optional<bool> added = std::nullopt);

  ArrayDut& dut_;
  std::int64_t m_, k_, n_;
  int rows_, cols_;
  int terms_ = 1;
  std::int64_t chunk_len_ = 1;    // products per chunk (K: one chunk)
  std::int64_t chunk_steps_ = 1;  // steps per whole chunk
  std::int64_t steps_ = 0;        // steps per dot product
  std::vector<std::uint64_t> a_codes_, w_codes_;
  bool double_;  // job.double_buffered
  std::vector<double> c_;
  std::int64_t words_left_ = 0;  // words still to leave the array
  std::uint64_t cycle_ = 0;
  bool done_ = false;
};

// The controllers of each dataflow (ws_array_driver.cpp, os_array_driver.cpp), and the one of
// the DUT's dataflow.
std::unique_ptr<ArrayDriver> make_ws_array_driver(ArrayDut& dut, const GemmJob& job);
std::unique_ptr<ArrayDriver> make_os_array_driver(ArrayDut& dut, const GemmJob& job);
std::unique_ptr<ArrayDriver> make_array_driver(ArrayDut& dut, const GemmJob& job);

}  // namespace lbasim::rtl

// Output-stationary dataflow: each PE keeps one output of an R x C tile of C. Activation rows
// enter skewed from the left, weight columns skewed from the top; the whole K streams through.
#pragma once

#include <cstdint>
#include <vector>

#include "lbasim/systemc/dataflow.h"
#include "product_table.h"

namespace lbasim::sysc {

class OutputStationary final : public Dataflow {
 public:
  OutputStationary(const ArrayConfig& a, const num::AccumConfig& cfg);
  void start(const GemmProblem& p) override;
  bool step() override;
  const ArrayStats& stats() const override { return stats_; }

 private:
  enum class Phase : std::uint8_t { stream, drain, done };
  // Moving registers of all PEs, row-major; the stream phase reads `cur_`, writes `nxt_`.
  struct Regs {
    std::vector<double> a, w;
    std::vector<std::int32_t> ai, wi;  // product-table indices of a and w
    // Per activation: bit 0 valid, bit 1 first product (k = 0), bit 2 starts a later chunk.
    std::vector<std::uint8_t> atag;
    std::vector<std::uint8_t> wv;
  };
  enum : std::uint8_t { kValid = 1, kFirst = 2, kRestart = 4 };

  void begin_tile();
  void stream_cycle();
  void drain_cycle();
  void finish();

  ArrayConfig array_;
  num::AccumConfig cfg_;
  GemmProblem p_;
  ArrayStats stats_;
  Regs cur_, nxt_;
  std::vector<double> ps_, co_;  // stationary: partial sum (acc) and chunk lane (cacc)
  detail::ProductTable table_;
  detail::EventHistogram prod_events_, acc_events_, chunk_events_;
  std::int64_t chunk_ = 0;
  Phase phase_ = Phase::done;
  std::int64_t m0_ = 0, n0_ = 0;
  int mt_ = 0, nt_ = 0;
  std::int64_t t_ = 0;
  std::int64_t stream_len_ = 0;
};

}  // namespace lbasim::sysc

// Weight-stationary dataflow (TPU style): a K x N weight tile is preloaded into the PEs,
// activation rows enter skewed from the left and move right, partial sums move down.
#pragma once

#include <cstdint>
#include <vector>

#include "lbasim/systemc/dataflow.h"
#include "product_table.h"

namespace lbasim::sysc {

class WeightStationary final : public Dataflow {
 public:
  WeightStationary(const ArrayConfig& a, const num::AccumConfig& cfg);
  void start(const GemmProblem& p) override;
  bool step() override;
  const ArrayStats& stats() const override { return stats_; }

 private:
  enum class Phase : std::uint8_t { load, stream, done };
  // Registers of all PEs, row-major; the stream phase reads `cur_` and writes `nxt_`.
  struct Regs {
    std::vector<double> a, ps, co;     // activation, partial sum (acc), chunk lane (cacc)
    std::vector<std::int32_t> ai;      // the activation's index in the product table
    std::vector<std::uint8_t> av, pv;  // valid bits of the activation and of the psum pair
  };

  void begin_tile();
  void load_cycle();
  void stream_cycle();
  void drain_bottom(std::int64_t t);
  void finish();

  ArrayConfig array_;
  num::AccumConfig cfg_;
  GemmProblem p_;
  ArrayStats stats_;
  Regs cur_, nxt_;
  std::vector<double> w_;         // stationary weights
  std::vector<std::int32_t> wi_;  // their product-table indices
  detail::ProductTable table_;
  detail::EventHistogram prod_events_, acc_events_, chunk_events_;
  std::vector<std::uint8_t> restart_;      // per row: this row's k starts a new chunk
  std::vector<double> part_ps_, part_co_;  // output buffer, partial area: m x cols pairs
  std::int64_t chunk_ = 0;
  // Controller state: current tile and phase.
  Phase phase_ = Phase::done;
  std::int64_t k0_ = 0, n0_ = 0;
  int kt_ = 0, nt_ = 0;  // rows and columns the tile uses
  std::int64_t t_ = 0;   // cycle within the phase
  std::int64_t stream_len_ = 0;
};

}  // namespace lbasim::sysc

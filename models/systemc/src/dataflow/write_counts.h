// Per-PE register-write counts of a dataflow (ArrayStats::PeStats::reg_writes).
#pragma once

#include <cstdint>
#include <vector>

#include "lbasim/systemc/array_stats.h"

namespace lbasim::sysc::detail {

// The stream loops add a few writes per PE every cycle. 16-bit counters let the compiler do
// eight PEs per SSE2 register where 64-bit ones take two and a widening each; they move into
// 64-bit totals every kFlushCycles cycles, before they can wrap.
class WriteCounts {
 public:
  // What one cycle can add to a PE, at most (WS: activation, pair, weight copy and load; OS:
  // activation, weight, psum, chunk lane, drain register): the flush period's margin.
  static constexpr std::uint64_t kMaxPerCycle = 8;
  static constexpr std::uint64_t kFlushCycles = 0xffff / kMaxPerCycle;

  void reset(std::size_t pes) {
    recent_.assign(pes, 0);
    total_.assign(pes, 0);
    cycles_ = 0;
  }
  // PE i's counter, for `+=` in the current cycle.
  std::uint16_t* at(std::size_t i) { return &recent_[i]; }
  void end_cycle() {
    if (++cycles_ == kFlushCycles) flush();
  }
  // Adds the totals to the PEs' statistics.
  void add_to(ArrayStats& st) {
    flush();
    for (std::size_t i = 0; i < total_.size(); ++i) st.pe[i].reg_writes += total_[i];
  }

 private:
  void flush() {
    for (std::size_t i = 0; i < recent_.size(); ++i) total_[i] += recent_[i];
    std::fill(recent_.begin(), recent_.end(), std::uint16_t{0});
    cycles_ = 0;
  }

  std::vector<std::uint16_t> recent_;
  std::vector<std::uint64_t> total_;
  std::uint64_t cycles_ = 0;
};

}  // namespace lbasim::sysc::detail

// Weight-stationary dataflow (TPU style), cycle by cycle: a kt x nt weight tile is preloaded
// into the PEs one row per cycle (kt stall cycles), then activation row m enters array row r in
// stream cycle m + r and moves right, PE(r, c) works on it in cycle m + r + c, partial-sum pairs
// move down and the column's pair leaves the bottom in cycle m + R + c (docs/systolic.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "array_core.h"

namespace lbasim::sysc {

template <detail::ProcessingElement Pe>
class WeightStationary final : public Dataflow {
 public:
  WeightStationary(const ArrayConfig& a, Pe pe) : core_(a, std::move(pe)) {
    const std::size_t pes = static_cast<std::size_t>(a.rows) * a.cols;
    for (Regs* r : {&cur_, &nxt_}) {
      r->a.assign(pes, Operand{});
      r->pair.assign(pes, detail::Lanes{});
      r->av.assign(pes, 0);
      r->pv.assign(pes, 0);
    }
    w_.assign(pes, Operand{});
    restart_.assign(a.rows, 0);
  }

  void start(const GemmProblem& p) override {
    core_.begin(p);
    const int C = core_.array.cols;
    const std::int64_t k_tiles = detail::ceil_div(core_.pe.steps(), core_.array.rows);
    part_.assign(k_tiles > 1 ? p.m * C : 0, detail::Lanes{});
    // Partial pairs need two words per output of a tile.
    core_.stats.out_buffer.size_words = p.m * p.n + 2 * part_.size();
    k0_ = 0;
    n0_ = 0;
    begin_tile();
  }

  bool step() override {
    if (phase_ == Phase::done) return false;
    if (phase_ == Phase::load) {
      load_cycle();
    } else {
      core_.run_cycle(on_pe_events, [this](auto rec) { stream_cycle<decltype(rec)::value>(); });
      next_after_stream();
    }
    ++core_.stats.total_cycles;
    return true;
  }

  const ArrayStats& stats() const override { return core_.stats; }

 private:
  using Operand = typename Pe::Operand;
  enum class Phase : std::uint8_t { load, stream, done };
  // Registers of all PEs, row-major; the stream phase reads `cur_` and writes `nxt_`.
  struct Regs {
    std::vector<Operand> a;            // activation, moving right
    std::vector<detail::Lanes> pair;   // psum and chunk lane, moving down
    std::vector<std::uint8_t> av, pv;  // valid bits of the activation and of the pair
  };

  void begin_tile() {
    const int R = core_.array.rows;
    const std::int64_t steps = core_.pe.steps();
    kt_ = static_cast<int>(std::min<std::int64_t>(R, steps - k0_));
    nt_ = static_cast<int>(std::min<std::int64_t>(core_.array.cols, core_.p.n - n0_));
    for (int r = 0; r < R; ++r) restart_[r] = r < kt_ && core_.pe.restarts(k0_ + r);
    std::fill(cur_.av.begin(), cur_.av.end(), 0);
    std::fill(cur_.pv.begin(), cur_.pv.end(), 0);
    stream_len_ = core_.p.m + R + nt_ - 1;
    phase_ = Phase::load;
    t_ = 0;
    ++core_.stats.tiles;
  }

  // One weight row per cycle from the weight buffer into the PE row's weight registers.
  void load_cycle() {
    const int r = static_cast<int>(t_), C = core_.array.cols;
    for (int c = 0; c < nt_; ++c) {
      w_[r * C + c] = core_.pe.weight(k0_ + r, n0_ + c);
      ++core_.stats.pe[r * C + c].reg_writes;
    }
    core_.stats.weight_buffer.reads += nt_;
    ++core_.stats.stall_cycles;
    if (++t_ == kt_) {
      phase_ = Phase::stream;
      t_ = 0;
    }
  }

  template <bool kRecord>
  void stream_cycle() {
    const int R = core_.array.rows, C = core_.array.cols;
    const std::int64_t t = t_, M = core_.p.m;
    const bool first_k = k0_ == 0;
    ArrayStats& st = core_.stats;
    drain_bottom(t);  // reads the bottom row's registers before they are overwritten
    std::uint64_t busy = 0;
    for (int r = 0; r < R; ++r) {
      // Input skew: row r sees activation row m = t - r.
      const std::int64_t m_left = t - r;
      const bool av_left = r < kt_ && m_left >= 0 && m_left < M;
      const Operand a_left = av_left ? core_.pe.activation(m_left, k0_ + r) : Operand{};
      st.act_buffer.reads += av_left;
      const bool restart = restart_[r];
      const bool row_active = r < kt_;
      for (int c = 0; c < C; ++c) {
        const int i = r * C + c;
        const bool av = c == 0 ? av_left : cur_.av[i - 1];
        const Operand& a = c == 0 ? a_left : cur_.a[i - 1];
        bool pv;
        detail::Lanes in;
        if (r == 0) {  // top of the column: +0, or the pair parked by the previous K tile
          const std::int64_t m_top = t - c;
          pv = c < nt_ && m_top >= 0 && m_top < M;
          if (pv && !first_k) {
            in = part_[m_top * C + c];
            st.out_buffer.reads += 2;
          }
        } else {
          pv = cur_.pv[i - C];
          in = cur_.pair[i - C];
        }
        PeCounters& pe = st.pe[i];
        nxt_.av[i] = av;
        nxt_.a[i] = a;
        pe.reg_writes += av;
        nxt_.pv[i] = pv;
        if (!pv) continue;
        pe.reg_writes += 2;
        if (!row_active || c >= nt_) {  // unused PE: the pair passes through
          nxt_.pair[i] = in;
          continue;
        }
        nxt_.pair[i] = core_.template mac<kRecord>(i, k0_ + r, in, restart, a, w_[i]);
        ++busy;
      }
    }
    std::swap(cur_, nxt_);
    core_.count_stream_cycle(busy, static_cast<std::uint64_t>(kt_) * nt_);
  }

  void next_after_stream() {
    if (++t_ < stream_len_) return;
    // Next tile: K tiles inner (partial pairs stay in the output buffer), N tiles outer.
    k0_ += core_.array.rows;
    if (k0_ >= core_.pe.steps()) {
      k0_ = 0;
      n0_ += core_.array.cols;
    }
    if (n0_ >= core_.p.n) {
      phase_ = Phase::done;
      core_.finish();
      return;
    }
    begin_tile();
  }

  // Output de-skew: column c's pair for row m leaves the bottom PE in stream cycle m + R + c.
  // After the last K tile the column's chunk accumulator adds the last chunk into the lane.
  void drain_bottom(std::int64_t t) {
    const int R = core_.array.rows, C = core_.array.cols;
    const bool last_k = k0_ + kt_ >= core_.pe.steps();
    for (int c = 0; c < nt_; ++c) {
      const int i = (R - 1) * C + c;
      if (!cur_.pv[i]) continue;
      OutputWord word;
      word.cycle = core_.stats.total_cycles;
      word.column = c;
      word.m = t - R - c;
      word.n = n0_ + c;
      word.psum = cur_.pair[i].psum;
      word.chunk = cur_.pair[i].chunk;
      if (last_k) {
        core_.result(word);
        ++core_.stats.out_buffer.writes;
      } else {
        part_[word.m * C + c] = cur_.pair[i];
        core_.stats.out_buffer.writes += 2;
      }
      if (on_output) on_output(word);
    }
  }

  detail::ArrayCore<Pe> core_;
  Regs cur_, nxt_;
  std::vector<Operand> w_;             // stationary weights
  std::vector<std::uint8_t> restart_;  // per row: this row's step starts a new chunk
  std::vector<detail::Lanes> part_;    // output buffer, partial area: m x cols pairs
  // Controller state: current tile and phase.
  Phase phase_ = Phase::done;
  std::int64_t k0_ = 0, n0_ = 0;  // first step and first column of the tile
  int kt_ = 0, nt_ = 0;           // rows and columns the tile uses
  std::int64_t t_ = 0;            // cycle within the phase
  std::int64_t stream_len_ = 0;
};

}  // namespace lbasim::sysc

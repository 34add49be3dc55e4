// Output-stationary dataflow, cycle by cycle: each PE keeps one output of an R x C tile of C.
// Activation rows enter skewed from the left, weight columns skewed from the top, the whole
// dot product streams through: PE(r, c) does step k in stream cycle k + r + c. After the last
// step the tile's rows drain through the column-bottom chunk accumulators, one row per cycle
// (docs/systolic.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "array_core.h"

namespace lbasim::sysc {

template <detail::ProcessingElement Pe>
class OutputStationary final : public Dataflow {
 public:
  OutputStationary(const ArrayConfig& a, Pe pe) : core_(a, std::move(pe)) {
    const std::size_t pes = static_cast<std::size_t>(a.rows) * a.cols;
    for (Regs* r : {&cur_, &nxt_}) {
      r->a.assign(pes, Operand{});
      r->w.assign(pes, Operand{});
      r->atag.assign(pes, 0);
      r->ak.assign(pes, 0);
      r->wv.assign(pes, 0);
    }
    out_.assign(pes, detail::Lanes{});
  }

  void start(const GemmProblem& p) override {
    core_.begin(p);
    core_.stats.out_buffer.size_words = p.m * p.n;
    m0_ = 0;
    n0_ = 0;
    begin_tile();
  }

  bool step() override {
    if (phase_ == Phase::done) return false;
    if (phase_ == Phase::drain)
      drain_cycle();
    else
      core_.run_cycle(on_pe_events, [this](auto rec) { stream_cycle<decltype(rec)::value>(); });
    ++core_.stats.total_cycles;
    return true;
  }

  const ArrayStats& stats() const override { return core_.stats; }

 private:
  using Operand = typename Pe::Operand;
  enum class Phase : std::uint8_t { stream, drain, done };
  // Moving registers of all PEs, row-major; the stream phase reads `cur_`, writes `nxt_`.
  struct Regs {
    std::vector<Operand> a, w;
    // With each activation: bit 0 valid, bit 1 first step (k = 0), bit 2 starts a later chunk,
    // and its step index k.
    std::vector<std::uint8_t> atag;
    std::vector<std::int64_t> ak;
    std::vector<std::uint8_t> wv;
  };
  enum : std::uint8_t { kValid = 1, kFirst = 2, kRestart = 4 };

  void begin_tile() {
    mt_ = static_cast<int>(std::min<std::int64_t>(core_.array.rows, core_.p.m - m0_));
    nt_ = static_cast<int>(std::min<std::int64_t>(core_.array.cols, core_.p.n - n0_));
    std::fill(cur_.atag.begin(), cur_.atag.end(), 0);
    std::fill(cur_.wv.begin(), cur_.wv.end(), 0);
    stream_len_ = core_.pe.steps() + mt_ + nt_ - 2;
    phase_ = Phase::stream;
    t_ = 0;
    ++core_.stats.tiles;
  }

  template <bool kRecord>
  void stream_cycle() {
    const int R = core_.array.rows, C = core_.array.cols;
    const std::int64_t t = t_, K = core_.pe.steps();
    ArrayStats& st = core_.stats;
    std::uint64_t busy = 0;
    for (int r = 0; r < R; ++r) {
      // Input skew: row r sees step k = t - r of its activation row.
      const std::int64_t k_left = t - r;
      const bool av_left = r < mt_ && k_left >= 0 && k_left < K;
      std::uint8_t tag_left = 0;
      Operand a_left{};
      if (av_left) {
        a_left = core_.pe.activation(m0_ + r, k_left);
        tag_left = kValid | (k_left == 0 ? kFirst : 0) | (core_.pe.restarts(k_left) ? kRestart : 0);
        ++st.act_buffer.reads;
      }
      for (int c = 0; c < C; ++c) {
        const int i = r * C + c;
        const std::uint8_t tag = c == 0 ? tag_left : cur_.atag[i - 1];
        const std::int64_t k = c == 0 ? k_left : cur_.ak[i - 1];
        const Operand& a = c == 0 ? a_left : cur_.a[i - 1];
        bool wv;
        Operand w{};
        if (r == 0) {  // input skew of the weights: column c sees step t - c
          const std::int64_t k_top = t - c;
          wv = c < nt_ && k_top >= 0 && k_top < K;
          if (wv) w = core_.pe.weight(k_top, n0_ + c);
          st.weight_buffer.reads += wv;
        } else {
          wv = cur_.wv[i - C];
          w = cur_.w[i - C];
        }
        PeCounters& pe = st.pe[i];
        nxt_.atag[i] = tag;
        nxt_.ak[i] = k;
        nxt_.a[i] = a;
        nxt_.wv[i] = wv;
        nxt_.w[i] = w;
        pe.reg_writes += (tag & kValid) + wv;
        if (!(tag & kValid) || !wv) continue;
        detail::Lanes in = out_[i];
        if (tag & kFirst) {  // a new output: both lanes start from +0
          in = {};
          ++pe.reg_writes;
        } else if (tag & kRestart) {  // the chunk lane's register is written too
          ++pe.reg_writes;
        }
        out_[i] = core_.template mac<kRecord>(i, k, in, tag & kRestart, a, w);
        ++pe.reg_writes;
        ++busy;
      }
    }
    std::swap(cur_, nxt_);
    core_.count_stream_cycle(busy, static_cast<std::uint64_t>(mt_) * nt_);
    if (++t_ == stream_len_) {
      phase_ = Phase::drain;
      t_ = 0;
    }
  }

  // Drain cycle j: row j of the tile goes to the column-bottom chunk accumulators, which add
  // the last chunk into the chunk lane and write the results to the output buffer.
  void drain_cycle() {
    const int r = static_cast<int>(t_);
    for (int c = 0; c < nt_; ++c) {
      const int i = r * core_.array.cols + c;
      OutputWord word;
      word.cycle = core_.stats.total_cycles;
      word.column = c;
      word.m = m0_ + r;
      word.n = n0_ + c;
      word.psum = out_[i].psum;
      word.chunk = out_[i].chunk;
      core_.result(word);
      if (on_output) on_output(word);
    }
    core_.stats.out_buffer.writes += nt_;
    ++core_.stats.stall_cycles;
    if (++t_ < mt_) return;
    // Next tile: N tiles inner, M tiles outer.
    n0_ += core_.array.cols;
    if (n0_ >= core_.p.n) {
      n0_ = 0;
      m0_ += core_.array.rows;
    }
    if (m0_ >= core_.p.m) {
      phase_ = Phase::done;
      core_.finish();
      return;
    }
    begin_tile();
  }

  detail::ArrayCore<Pe> core_;
  Regs cur_, nxt_;
  std::vector<detail::Lanes> out_;  // stationary: the output's psum and chunk lane
  Phase phase_ = Phase::done;
  std::int64_t m0_ = 0, n0_ = 0;
  int mt_ = 0, nt_ = 0;
  std::int64_t t_ = 0;
  std::int64_t stream_len_ = 0;
};

}  // namespace lbasim::sysc

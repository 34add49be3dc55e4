// Output-stationary array, cycle by cycle. Timing (docs/systolic.md): product k of PE(r, c)
// happens in stream cycle k + r + c; after the last one, the tile's rows drain through the
// column-bottom chunk accumulators, one row per cycle.
#include "output_stationary.h"

#include <algorithm>

#include "common.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::sysc {

OutputStationary::OutputStationary(const ArrayConfig& a, const num::AccumConfig& cfg)
    : array_(a), cfg_(cfg) {
  const std::size_t pes = static_cast<std::size_t>(a.rows) * a.cols;
  for (Regs* r : {&cur_, &nxt_}) {
    r->a.assign(pes, 0.0);
    r->w.assign(pes, 0.0);
    r->ai.assign(pes, 0);
    r->wi.assign(pes, 0);
    r->atag.assign(pes, 0);
    r->wv.assign(pes, 0);
  }
  ps_.assign(pes, 0.0);
  co_.assign(pes, 0.0);
}

void OutputStationary::start(const GemmProblem& p) {
  detail::check_problem(p);
  p_ = p;
  detail::reset_stats(stats_, array_, p);
  chunk_ = detail::effective_chunk(cfg_, p.k);
  table_.build(p, cfg_.product);
  prod_events_ = acc_events_ = chunk_events_ = {};
  stats_.act_buffer.size_words = p.m * p.k;
  stats_.act_buffer.writes = p.m * p.k;
  stats_.weight_buffer.size_words = p.k * p.n;
  stats_.weight_buffer.writes = p.k * p.n;
  stats_.out_buffer.size_words = p.m * p.n;
  m0_ = 0;
  n0_ = 0;
  begin_tile();
}

void OutputStationary::begin_tile() {
  mt_ = static_cast<int>(std::min<std::int64_t>(array_.rows, p_.m - m0_));
  nt_ = static_cast<int>(std::min<std::int64_t>(array_.cols, p_.n - n0_));
  std::fill(cur_.atag.begin(), cur_.atag.end(), 0);
  std::fill(cur_.wv.begin(), cur_.wv.end(), 0);
  stream_len_ = p_.k + mt_ + nt_ - 2;
  phase_ = Phase::stream;
  t_ = 0;
  ++stats_.tiles;
}

bool OutputStationary::step() {
  switch (phase_) {
    case Phase::done:
      return false;
    case Phase::stream:
      stream_cycle();
      break;
    case Phase::drain:
      drain_cycle();
      break;
  }
  ++stats_.total_cycles;
  return true;
}

void OutputStationary::stream_cycle() {
  const int R = array_.rows, C = array_.cols;
  const std::int64_t t = t_, K = p_.k;
  std::uint64_t macs = 0;
  for (int r = 0; r < R; ++r) {
    // Input skew: row r sees product index k = t - r of its activation row.
    const std::int64_t k_left = t - r;
    const bool av_left = r < mt_ && k_left >= 0 && k_left < K;
    std::uint8_t tag_left = 0;
    double a_left = 0.0;
    std::int32_t ai_left = 0;
    if (av_left) {
      a_left = p_.a[(m0_ + r) * K + k_left];
      ai_left = table_.a_index((m0_ + r) * K + k_left);
      tag_left = kValid | (k_left == 0 ? kFirst : 0) |
                 (detail::starts_chunk(k_left, chunk_) ? kRestart : 0);
      ++stats_.act_buffer.reads;
    }
    for (int c = 0; c < C; ++c) {
      const int i = r * C + c;
      const std::uint8_t tag = c == 0 ? tag_left : cur_.atag[i - 1];
      const double a = c == 0 ? a_left : cur_.a[i - 1];
      const std::int32_t ai = c == 0 ? ai_left : cur_.ai[i - 1];
      bool wv;
      double w;
      std::int32_t wi;
      if (r == 0) {  // input skew of the weights: column c sees k = t - c
        const std::int64_t k_top = t - c;
        wv = c < nt_ && k_top >= 0 && k_top < K;
        w = wv ? p_.w[k_top * p_.n + n0_ + c] : 0.0;
        wi = wv ? table_.w_index(k_top * p_.n + n0_ + c) : 0;
        stats_.weight_buffer.reads += wv;
      } else {
        wv = cur_.wv[i - C];
        w = cur_.w[i - C];
        wi = cur_.wi[i - C];
      }
      PeCounters& pe = stats_.pe[i];
      nxt_.atag[i] = tag;
      nxt_.a[i] = a;
      nxt_.wv[i] = wv;
      nxt_.w[i] = w;
      nxt_.ai[i] = ai;
      nxt_.wi[i] = wi;
      pe.reg_writes += (tag & kValid) + wv;
      if (!(tag & kValid) || !wv) continue;
      double acc = ps_[i];
      if (tag & kFirst) {  // a new output: both lanes start from +0
        co_[i] = 0.0;
        acc = 0.0;
        ++pe.reg_writes;
      } else if (tag & kRestart) {  // the finished chunk joins the chunk lane
        const num::Quantized q = num::add_q(co_[i], acc, cfg_.chunk_accumulator);
        chunk_events_.add(q.events);
        co_[i] = q.value;
        acc = 0.0;
        ++pe.chunk_adds;
        ++pe.reg_writes;
      }
      // FMAq: the product (table of mul_q, or mul_q), then one add_q (contract section 2).
      const num::Quantized prod = table_.product(a, ai, w, wi);
      const num::Quantized sum = num::add_q(acc, prod.value, cfg_.accumulator);
      prod_events_.add(prod.events);
      acc_events_.add(sum.events);
      ps_[i] = sum.value;
      ++pe.reg_writes;
      ++pe.macs;
      pe.zero_operand += (a == 0.0 || w == 0.0);
      ++macs;
    }
  }
  std::swap(cur_, nxt_);
  stats_.macs += macs;
  stats_.compute_cycles += macs > 0;
  if (macs == static_cast<std::uint64_t>(mt_) * nt_)
    ++stats_.full_cycles;
  else
    ++stats_.fill_drain_cycles;
  if (++t_ == stream_len_) {
    phase_ = Phase::drain;
    t_ = 0;
  }
}

// Drain cycle j: row j of the tile goes to the column-bottom chunk accumulators, which add
// the last chunk into the chunk lane and write the results to the output buffer.
void OutputStationary::drain_cycle() {
  const int r = static_cast<int>(t_);
  for (int c = 0; c < nt_; ++c) {
    const int i = r * array_.cols + c;
    OutputWord word;
    word.cycle = stats_.total_cycles;
    word.column = c;
    word.m = m0_ + r;
    word.n = n0_ + c;
    word.psum = ps_[i];
    word.chunk = co_[i];
    const num::Quantized q = num::add_q(word.chunk, word.psum, cfg_.chunk_accumulator);
    chunk_events_.add(q.events);
    word.final = true;
    word.value = q.value;
    p_.c[word.m * p_.n + word.n] = q.value;
    if (on_output) on_output(word);
  }
  stats_.out_buffer.writes += nt_;
  ++stats_.stall_cycles;
  if (++t_ < mt_) return;
  // Next tile: N tiles inner, M tiles outer.
  n0_ += array_.cols;
  if (n0_ >= p_.n) {
    n0_ = 0;
    m0_ += array_.rows;
  }
  if (m0_ >= p_.m) {
    finish();
    return;
  }
  begin_tile();
}

}  // namespace lbasim::sysc

namespace lbasim::sysc {

void OutputStationary::finish() {
  phase_ = Phase::done;
  stats_.events = {prod_events_.counts(), acc_events_.counts(), chunk_events_.counts()};
  stats_.chunk_adds = stats_.events.chunk.ops;
}

}  // namespace lbasim::sysc

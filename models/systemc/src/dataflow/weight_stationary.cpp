// Weight-stationary array, cycle by cycle. Timing (docs/systolic.md): a tile of kt x nt
// weights loads one row per cycle (kt stall cycles), then activation row m reaches PE(r, c) in
// stream cycle m + r + c and the column's psum pair leaves the bottom in cycle m + R + c.
#include "weight_stationary.h"

#include <algorithm>

#include "common.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::sysc {

WeightStationary::WeightStationary(const ArrayConfig& a, const num::AccumConfig& cfg)
    : array_(a), cfg_(cfg) {
  const std::size_t pes = static_cast<std::size_t>(a.rows) * a.cols;
  for (Regs* r : {&cur_, &nxt_}) {
    r->a.assign(pes, 0.0);
    r->ai.assign(pes, 0);
    r->ps.assign(pes, 0.0);
    r->co.assign(pes, 0.0);
    r->av.assign(pes, 0);
    r->pv.assign(pes, 0);
  }
  w_.assign(pes, 0.0);
  wi_.assign(pes, 0);
  restart_.assign(a.rows, 0);
}

void WeightStationary::start(const GemmProblem& p) {
  detail::check_problem(p);
  p_ = p;
  detail::reset_stats(stats_, array_, p);
  chunk_ = detail::effective_chunk(cfg_, p.k);
  table_.build(p, cfg_.product);
  prod_events_ = acc_events_ = chunk_events_ = {};
  const std::int64_t ntiles_k = detail::ceil_div(p.k, array_.rows);
  part_ps_.assign(ntiles_k > 1 ? p.m * array_.cols : 0, 0.0);
  part_co_.assign(part_ps_.size(), 0.0);
  // Whole operands are staged on chip; partial pairs need two words per output of a tile.
  stats_.act_buffer.size_words = p.m * p.k;
  stats_.act_buffer.writes = p.m * p.k;
  stats_.weight_buffer.size_words = p.k * p.n;
  stats_.weight_buffer.writes = p.k * p.n;
  stats_.out_buffer.size_words = p.m * p.n + 2 * part_ps_.size();
  k0_ = 0;
  n0_ = 0;
  begin_tile();
}

void WeightStationary::begin_tile() {
  kt_ = static_cast<int>(std::min<std::int64_t>(array_.rows, p_.k - k0_));
  nt_ = static_cast<int>(std::min<std::int64_t>(array_.cols, p_.n - n0_));
  for (int r = 0; r < array_.rows; ++r)
    restart_[r] = r < kt_ && detail::starts_chunk(k0_ + r, chunk_);
  std::fill(cur_.av.begin(), cur_.av.end(), 0);
  std::fill(cur_.pv.begin(), cur_.pv.end(), 0);
  stream_len_ = p_.m + array_.rows + nt_ - 1;
  phase_ = Phase::load;
  t_ = 0;
  ++stats_.tiles;
}

bool WeightStationary::step() {
  switch (phase_) {
    case Phase::done:
      return false;
    case Phase::load:
      load_cycle();
      break;
    case Phase::stream:
      stream_cycle();
      break;
  }
  ++stats_.total_cycles;
  return true;
}

// One weight row per cycle from the weight buffer into the PE row's weight registers.
void WeightStationary::load_cycle() {
  const int r = static_cast<int>(t_);
  for (int c = 0; c < nt_; ++c) {
    const std::int64_t j = (k0_ + r) * p_.n + n0_ + c;
    w_[r * array_.cols + c] = p_.w[j];
    wi_[r * array_.cols + c] = table_.w_index(j);
    ++stats_.pe[r * array_.cols + c].reg_writes;
  }
  stats_.weight_buffer.reads += nt_;
  ++stats_.stall_cycles;
  if (++t_ == kt_) {
    phase_ = Phase::stream;
    t_ = 0;
  }
}

void WeightStationary::stream_cycle() {
  const int R = array_.rows, C = array_.cols;
  const std::int64_t t = t_, M = p_.m;
  const bool first_k = k0_ == 0;
  drain_bottom(t);  // reads the bottom row's registers before they are overwritten
  std::uint64_t macs = 0;
  for (int r = 0; r < R; ++r) {
    // Input skew: row r sees activation row m = t - r.
    const std::int64_t m_left = t - r;
    const bool av_left = r < kt_ && m_left >= 0 && m_left < M;
    const std::int64_t j_left = m_left * p_.k + k0_ + r;
    const double a_left = av_left ? p_.a[j_left] : 0.0;
    const std::int32_t ai_left = av_left ? table_.a_index(j_left) : 0;
    stats_.act_buffer.reads += av_left;
    const bool restart = restart_[r];
    const bool row_active = r < kt_;
    for (int c = 0; c < C; ++c) {
      const int i = r * C + c;
      const bool av = c == 0 ? av_left : cur_.av[i - 1];
      const double a = c == 0 ? a_left : cur_.a[i - 1];
      const std::int32_t ai = c == 0 ? ai_left : cur_.ai[i - 1];
      bool pv;
      double ps_in, co_in;
      if (r == 0) {  // top of the column: +0, or the pair parked by the previous K tile
        const std::int64_t m_top = t - c;
        pv = c < nt_ && m_top >= 0 && m_top < M;
        ps_in = 0.0;
        co_in = 0.0;
        if (pv && !first_k) {
          ps_in = part_ps_[m_top * C + c];
          co_in = part_co_[m_top * C + c];
          stats_.out_buffer.reads += 2;
        }
      } else {
        pv = cur_.pv[i - C];
        ps_in = cur_.ps[i - C];
        co_in = cur_.co[i - C];
      }
      PeCounters& pe = stats_.pe[i];
      nxt_.av[i] = av;
      nxt_.a[i] = a;
      nxt_.ai[i] = ai;
      pe.reg_writes += av;
      nxt_.pv[i] = pv;
      if (!pv) continue;
      pe.reg_writes += 2;
      if (!row_active || c >= nt_) {  // unused PE: the pair passes through
        nxt_.ps[i] = ps_in;
        nxt_.co[i] = co_in;
        continue;
      }
      double acc = ps_in;
      double co = co_in;
      if (restart) {  // the finished chunk joins the chunk lane; the psum restarts at +0
        const num::Quantized q = num::add_q(co_in, ps_in, cfg_.chunk_accumulator);
        chunk_events_.add(q.events);
        co = q.value;
        acc = 0.0;
        ++pe.chunk_adds;
      }
      const double wv = w_[i];
      // FMAq: the product (table of mul_q, or mul_q), then one add_q (contract section 2).
      const num::Quantized prod = table_.product(a, ai, wv, wi_[i]);
      const num::Quantized sum = num::add_q(acc, prod.value, cfg_.accumulator);
      prod_events_.add(prod.events);
      acc_events_.add(sum.events);
      nxt_.ps[i] = sum.value;
      nxt_.co[i] = co;
      ++pe.macs;
      pe.zero_operand += (a == 0.0 || wv == 0.0);
      ++macs;
    }
  }
  std::swap(cur_, nxt_);
  stats_.macs += macs;
  stats_.compute_cycles += macs > 0;
  if (macs == static_cast<std::uint64_t>(kt_) * nt_)
    ++stats_.full_cycles;
  else
    ++stats_.fill_drain_cycles;
  if (++t_ < stream_len_) return;
  // Next tile: K tiles inner (partial pairs stay in the output buffer), N tiles outer.
  k0_ += R;
  if (k0_ >= p_.k) {
    k0_ = 0;
    n0_ += C;
  }
  if (n0_ >= p_.n) {
    finish();
    return;
  }
  begin_tile();
}

void WeightStationary::finish() {
  phase_ = Phase::done;
  stats_.events = {prod_events_.counts(), acc_events_.counts(), chunk_events_.counts()};
  stats_.chunk_adds = stats_.events.chunk.ops;
}

// Output de-skew: column c's pair for row m leaves the bottom PE in stream cycle m + R + c.
// After the last K tile the column's chunk accumulator adds the last chunk into the lane.
void WeightStationary::drain_bottom(std::int64_t t) {
  const int R = array_.rows, C = array_.cols;
  const bool last_k = k0_ + kt_ >= p_.k;
  for (int c = 0; c < nt_; ++c) {
    const int i = (R - 1) * C + c;
    if (!cur_.pv[i]) continue;
    OutputWord word;
    word.cycle = stats_.total_cycles;
    word.column = c;
    word.m = t - R - c;
    word.n = n0_ + c;
    word.psum = cur_.ps[i];
    word.chunk = cur_.co[i];
    if (last_k) {
      const num::Quantized q = num::add_q(word.chunk, word.psum, cfg_.chunk_accumulator);
      chunk_events_.add(q.events);
      word.final = true;
      word.value = q.value;
      p_.c[word.m * p_.n + word.n] = q.value;
      ++stats_.out_buffer.writes;
    } else {
      part_ps_[word.m * C + c] = word.psum;
      part_co_[word.m * C + c] = word.chunk;
      stats_.out_buffer.writes += 2;
    }
    if (on_output) on_output(word);
  }
}

}  // namespace lbasim::sysc

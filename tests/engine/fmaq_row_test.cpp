// FastFmaq::step_rows, the array's row step on 8-lane vectors, against the golden mul_q and
// add_q lane by lane, on every instruction set this machine has: values and each lane's event
// bits, the tally, the per-lane counters, idle lanes and lanes past n left alone. Rows of odd
// lengths (whole blocks of 8, a partial block, both) with idle, stepping and restarting lanes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/fast_fmaq.h"
#include "lbasim/numerics/quantize.h"
#include "random_operands.h"

namespace lbasim::num {
namespace {

std::vector<Isa> machine_isas() {
  std::vector<Isa> isas{Isa::portable};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) isas.push_back(Isa::avx2);
  if (best_isa() == Isa::avx512) isas.push_back(Isa::avx512);
  return isas;
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// One row of n lanes (plus 8 guard lanes past n that must stay as they are) and the golden
// model's expectation for it.
struct Lanes {
  std::vector<std::uint8_t> op;
  std::vector<double> a, w, psum, chunk;
  std::vector<std::uint8_t> prod_ev, acc_ev, chunk_ev;
  std::vector<std::uint64_t> macs, chunk_adds, zero_operand;
};

// Checks rows of random lengths drawn from a's and w's values against mul_q/add_q.
void check_rows(const FastFmaq& fast, const AccumConfig& cfg, const std::vector<double>& a,
                const std::vector<double>& w, std::mt19937_64& rng, const std::string& what,
                StageCounts* seen = nullptr) {
  std::uniform_int_distribution<int> len(1, 37), rows_n(1, 4), kind(0, 9);
  std::uniform_int_distribution<std::size_t> ai(0, a.size() - 1), wi(0, w.size() - 1);
  const int count = rows_n(rng);
  std::vector<Lanes> in(count);
  std::vector<FastFmaq::Row> rows(count);
  StageCounts want_counts;
  std::uint64_t want_macs = 0, want_chunk_adds = 0;
  std::vector<Lanes> want(count);
  for (int k = 0; k < count; ++k) {
    const int n = len(rng), guard = n + 8;
    Lanes& l = in[k];
    l.op.assign(guard, 0);
    l.a.assign(guard, 0.0);
    l.w.assign(guard, 0.0);
    l.psum.assign(guard, 0.0);
    l.chunk.assign(guard, 0.0);
    for (int i = 0; i < guard; ++i) {
      const int kd = kind(rng);  // idle 3 in 10, step 5 in 10, restart 2 in 10
      l.op[i] = i >= n || kd < 3 ? 0
                : kd < 8         ? FastFmaq::kMac
                                 : FastFmaq::kMac | FastFmaq::kRestart;
      l.a[i] = a[ai(rng)];
      l.w[i] = w[wi(rng)];
      // Lane states as the PEs hold them: a few rounded steps' worth of sums.
      const double p1 = mul_q(a[ai(rng)], w[wi(rng)], cfg.product).value;
      const double p2 = mul_q(a[ai(rng)], w[wi(rng)], cfg.product).value;
      l.psum[i] =
          kd == 9 ? 0.0  // a psum that just restarted
                  : add_q(add_q(0.0, std::ldexp(p1, 2), cfg.accumulator).value, p2, cfg.accumulator)
                        .value;
      l.chunk[i] = add_q(0.0, std::ldexp(p2, 3), cfg.chunk_accumulator).value;
    }
    l.prod_ev.assign(guard, 0xee);
    l.acc_ev.assign(guard, 0xee);
    l.chunk_ev.assign(guard, 0xee);
    l.macs.assign(guard, 5);
    l.chunk_adds.assign(guard, 5);
    l.zero_operand.assign(guard, 5);
    want[k] = l;
    Lanes& e = want[k];
    for (int i = 0; i < n; ++i) {
      if (!(l.op[i] & FastFmaq::kMac)) continue;  // idle: left as it is
      e.prod_ev[i] = e.acc_ev[i] = e.chunk_ev[i] = 0;
      if (l.op[i] & FastFmaq::kRestart) {
        const Quantized c = add_q(e.chunk[i], e.psum[i], cfg.chunk_accumulator);
        e.chunk[i] = c.value;
        e.chunk_ev[i] = c.events;
        e.psum[i] = 0.0;
        want_counts.chunk.add(c.events);
        ++e.chunk_adds[i];
        ++want_chunk_adds;
      }
      const Quantized p = mul_q(l.a[i], l.w[i], cfg.product);
      const Quantized s = add_q(e.psum[i], p.value, cfg.accumulator);
      e.psum[i] = s.value;
      e.prod_ev[i] = p.events;
      e.acc_ev[i] = s.events;
      want_counts.product.add(p.events);
      want_counts.accumulator.add(s.events);
      ++e.macs[i];
      e.zero_operand[i] += l.a[i] == 0.0 || l.w[i] == 0.0;
      ++want_macs;
    }
    rows[k] = {n,
               l.op.data(),
               l.a.data(),
               l.w.data(),
               l.psum.data(),
               l.chunk.data(),
               l.prod_ev.data(),
               l.acc_ev.data(),
               l.chunk_ev.data(),
               l.macs.data(),
               l.chunk_adds.data(),
               l.zero_operand.data()};
  }
  FastFmaq::Tally tally;
  fast.step_rows(rows.data(), count, tally);
  for (int k = 0; k < count; ++k)
    for (std::size_t i = 0; i < in[k].op.size(); ++i) {
      const Lanes &g = in[k], &e = want[k];
      const std::string at =
          fmt::format("{} row {} lane {} of {} op {}", what, k, i, rows[k].n, int{g.op[i]});
      ASSERT_EQ(bits(g.psum[i]), bits(e.psum[i]))
          << at << ": psum " << g.psum[i] << " want " << e.psum[i] << " (a " << g.a[i] << ", w "
          << g.w[i] << ")";
      ASSERT_EQ(bits(g.chunk[i]), bits(e.chunk[i])) << at << ": chunk";
      ASSERT_EQ(g.prod_ev[i], e.prod_ev[i]) << at << ": product events";
      ASSERT_EQ(g.acc_ev[i], e.acc_ev[i]) << at << ": accumulator events";
      ASSERT_EQ(g.chunk_ev[i], e.chunk_ev[i]) << at << ": chunk events";
      ASSERT_EQ(g.macs[i], e.macs[i]) << at << ": macs";
      ASSERT_EQ(g.chunk_adds[i], e.chunk_adds[i]) << at << ": chunk adds";
      ASSERT_EQ(g.zero_operand[i], e.zero_operand[i]) << at << ": zero operands";
    }
  EXPECT_EQ(tally.counts(want_macs, want_chunk_adds), want_counts) << what;
  if (seen) *seen += want_counts;
}

TEST(FastFmaqRow, EveryLaneMatchesGoldenOnEveryIsa) {
  std::mt19937_64 rng(31);
  std::uniform_int_distribution<int> spread(0, 40);
  int planned = 0, odd_sums = 0;
  for (int trial = 0; trial < 240; ++trial) {
    const Format& wa = test::trial_operand_format(trial);
    const AccumConfig cfg = test::random_stages(rng, trial);
    auto a = test::operand(rng, 64, wa, 2.0, trial % 4 == 0);
    auto w = test::operand(rng, 64, wa, 0.5, false);
    const int s = spread(rng);
    for (std::size_t i = 0; i < a.size(); i += 3) a[i] = std::ldexp(a[i], s - 20);
    auto fast = FastFmaq::plan(cfg, a.data(), 64, w.data(), 64);
    if (!fast) continue;
    ++planned;
    odd_sums += cfg.accumulator.man > 20;
    for (const Isa isa : machine_isas()) {
      fast->set_row_isa(isa);
      for (int rep = 0; rep < 4; ++rep)
        check_rows(*fast, cfg, a, w, rng,
                   fmt::format("trial {} {} WA={} P={} A={} C={}", trial, to_string(isa),
                               wa.to_string(), cfg.product.to_string(), cfg.accumulator.to_string(),
                               cfg.chunk_accumulator.to_string()));
    }
  }
  EXPECT_GT(planned, 180);
  EXPECT_GT(odd_sums, 30);
}

// The paper's formats with large operands: every event kind occurs in the row step.
TEST(FastFmaqRow, PaperFormatsWithEveryEventKind) {
  std::mt19937_64 rng(32);
  const AccumConfig cfg{parse_format("M7E4b12"), parse_format("M7E4b10"), parse_format("M7E4b10"),
                        16};
  auto a = test::operand(rng, 256, parse_format("M4E3"), 1.0, false);
  const auto w = test::operand(rng, 256, parse_format("M4E3"), 1.0, false);
  for (std::size_t i = 0; i < a.size(); i += 4) a[i] = std::ldexp(a[i], 10);
  for (std::size_t i = 2; i < a.size(); i += 8) a[i] = std::ldexp(a[i], -10);
  auto fast = FastFmaq::plan(cfg, a.data(), 256, w.data(), 256);
  ASSERT_TRUE(fast);
  for (const Isa isa : machine_isas()) {
    fast->set_row_isa(isa);
    StageCounts seen;
    for (int rep = 0; rep < 40; ++rep) check_rows(*fast, cfg, a, w, rng, to_string(isa), &seen);
    const EventCounts& acc = seen.accumulator;
    EXPECT_TRUE(acc.overflow && acc.underflow && acc.swamped && acc.inexact) << to_string(isa);
    EXPECT_TRUE(seen.product.overflow && seen.product.underflow && seen.product.inexact);
    EXPECT_TRUE(seen.chunk.ops && seen.chunk.inexact) << to_string(isa);
  }
}

}  // namespace
}  // namespace lbasim::num

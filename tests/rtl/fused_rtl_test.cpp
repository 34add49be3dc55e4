// The fused dot-product RTL (fused_dot), Verilated with one parameter set per executable,
// against lbasim::num::fused_step: result code, events and the per-term alignment flags must
// match. With LBASIM_SLOW_TESTS=1 set, 10 M random vectors (LBASIM_FUSED_VECTORS overrides),
// every edge accumulator code against every lone edge product, and the whole exhaustive sweep.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "fused_check.h"
#include "fused_dut.h"

namespace lbasim::rtl {
namespace {

std::uint64_t random_vectors() {
  if (const char* n = std::getenv("LBASIM_FUSED_VECTORS")) return std::stoull(n);
  return std::getenv("LBASIM_SLOW_TESTS") ? 10'000'000 : LBASIM_FUSED_CI_VECTORS;
}

TEST(FusedRtl, EdgeEncodings) {
  auto dut = make_fused_dut();
  FusedChecker checker(*dut);
  checker.check_edges(20'000, 11, std::getenv("LBASIM_SLOW_TESTS") != nullptr);
  EXPECT_GT(checker.stats().cases, 20'000u);
  EXPECT_EQ(checker.stats().mismatches, 0u);
}

TEST(FusedRtl, RandomVectors) {
  const std::uint64_t n = random_vectors();
  auto dut = make_fused_dut();
  FusedChecker checker(*dut);
  checker.check_random(n, 20261201);
  std::printf("%llu random vectors, %llu mismatches\n",
              static_cast<unsigned long long>(checker.stats().cases),
              static_cast<unsigned long long>(checker.stats().mismatches));
  EXPECT_EQ(checker.stats().cases, n);
  EXPECT_EQ(checker.stats().mismatches, 0u);
  // The generators reach rounding, terms losing bits or cut to zero, and swamping where the
  // unit allows it: a running sum holding E is unchanged by a non-zero cut product sum only
  // when that sum is finer than its unit in the last place, F > the accumulator's M.
  const FusedCoverage& c = checker.coverage();
  std::printf(
      "cases with: overflow %llu, underflow %llu, inexact %llu, swamped %llu, "
      "align_inexact %llu, cut %llu\n",
      static_cast<unsigned long long>(c.events[0]), static_cast<unsigned long long>(c.events[1]),
      static_cast<unsigned long long>(c.events[2]), static_cast<unsigned long long>(c.events[3]),
      static_cast<unsigned long long>(c.align_inexact), static_cast<unsigned long long>(c.cut));
  EXPECT_GT(c.events[2], 0u);
  if (dut->unit().align_bits > dut->unit().accumulator.man) {
    EXPECT_GT(c.events[3], 0u);
  }
  EXPECT_GT(c.align_inexact, 0u);
  EXPECT_GT(c.cut, 0u);
}

#ifdef LBASIM_RTL_EXHAUSTIVE
// Every code combination with LBASIM_SLOW_TESTS=1; every 7th otherwise (a few seconds).
TEST(FusedRtl, ExhaustiveAllCodes) {
  const std::uint64_t stride = std::getenv("LBASIM_SLOW_TESTS") ? 1 : 7;
  auto dut = make_fused_dut();
  FusedChecker checker(*dut);
  checker.check_exhaustive(stride);
  EXPECT_EQ(checker.stats().cases, (checker.exhaustive_cases() + stride - 1) / stride);
  EXPECT_EQ(checker.stats().mismatches, 0u);
  // The small unit reaches every event: overflow, underflow, inexact, swamped is impossible
  // with F below the accumulator's M (see RandomVectors).
  for (int e = 0; e < 3; ++e) EXPECT_GT(checker.coverage().events[e], 0u) << "event bit " << e;
}
#endif

// A device that differs from the RTL in one output bit, to show the checker notices.
class Tampered final : public FusedDut {
 public:
  Tampered(FusedDut& inner, FusedOutputs flip) : inner_(inner), flip_(flip) {}
  const FusedUnit& unit() const override { return inner_.unit(); }
  FusedOutputs eval(std::span<const std::uint64_t> a, std::span<const std::uint64_t> w,
                    std::uint64_t acc) override {
    FusedOutputs o = inner_.eval(a, w, acc);
    o.acc ^= flip_.acc;
    o.events ^= flip_.events;
    o.inexact_terms ^= flip_.inexact_terms;
    o.cut_terms ^= flip_.cut_terms;
    return o;
  }

 private:
  FusedDut& inner_;
  FusedOutputs flip_;
};

TEST(FusedRtl, CheckerReportsEveryKindOfMismatch) {
  auto dut = make_fused_dut();
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  for (const FusedOutputs flip :
       {FusedOutputs{1, 0, 0, 0}, FusedOutputs{0, 8, 0, 0}, FusedOutputs{0, 4, 0, 0},
        FusedOutputs{0, 0, 1, 0}, FusedOutputs{0, 0, 0, 2}}) {
    Tampered bad(*dut, flip);
    FusedChecker checker(bad, sink, 1);
    checker.check_random(100, 1);
    EXPECT_EQ(checker.stats().mismatches, 100u);
  }
  std::fclose(sink);
}

}  // namespace
}  // namespace lbasim::rtl

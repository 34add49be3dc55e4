// FastFmaq, the engine's arithmetic one step at a time, against mul_q and add_q: identical
// bits and events on every step of random chunked dot products, on the formats the engine
// accepts (exact and rounded-to-odd sums and products, skipped product stages, inf/NaN).
#include "lbasim/numerics/fast_fmaq.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "lbasim/numerics/quantize.h"
#include "random_operands.h"

namespace lbasim::num {
namespace {

void expect_equal(const Quantized& got, const Quantized& want, const std::string& what) {
  ASSERT_EQ(std::bit_cast<std::uint64_t>(got.value), std::bit_cast<std::uint64_t>(want.value))
      << what << ": got " << got.value << " want " << want.value;
  ASSERT_EQ(got.events, want.events) << what;
}

// Every step of dot products of a's rows and w's columns, in the contract's order, by both.
void expect_steps_equal(const FastFmaq& fast, const AccumConfig& cfg, const std::vector<double>& a,
                        const std::vector<double>& w, std::int64_t m, std::int64_t k,
                        std::int64_t n, const std::string& what) {
  const std::int64_t chunk = cfg.chunk <= 0 || cfg.chunk >= k ? k : cfg.chunk;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double out = 0;
      for (std::int64_t kb = 0; kb < k; kb += chunk) {
        double s = 0;
        for (std::int64_t kk = kb; kk < std::min(k, kb + chunk); ++kk) {
          const double x = a[i * k + kk], y = w[kk * n + j];
          const Quantized p = mul_q(x, y, cfg.product);
          expect_equal(fast.product(x, y), p, fmt::format("{} product {} * {}", what, x, y));
          const Quantized r = add_q(s, p.value, cfg.accumulator);
          expect_equal(fast.accumulate(s, p.value), r,
                       fmt::format("{} accumulate {} + {}", what, s, p.value));
          s = r.value;
        }
        const Quantized c = add_q(out, s, cfg.chunk_accumulator);
        expect_equal(fast.chunk_accumulate(out, s), c,
                     fmt::format("{} chunk {} + {}", what, out, s));
        out = c.value;
      }
    }
}

TEST(FastFmaq, EveryStepMatchesGoldenOnRandomConfigurations) {
  std::mt19937_64 rng(21);
  std::uniform_int_distribution<int> dim(1, 12), chunk(0, 20), spread(0, 40);
  int planned = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const Format& wa = test::trial_operand_format(trial);
    AccumConfig cfg = test::random_stages(rng, trial);
    cfg.chunk = chunk(rng);
    const std::int64_t m = dim(rng), k = dim(rng) * 3, n = dim(rng);
    auto a = test::operand(rng, m * k, wa, 2.0, trial % 4 == 0);
    auto w = test::operand(rng, k * n, wa, 0.5, false);
    const int s = spread(rng);
    for (std::int64_t i = 0; i < m * k; i += 3) a[i] = std::ldexp(a[i], s - 20);
    std::string reason;
    const auto fast = FastFmaq::plan(cfg, a.data(), m * k, w.data(), k * n, &reason);
    if (!fast) {
      EXPECT_FALSE(reason.empty());
      continue;
    }
    ++planned;
    expect_steps_equal(*fast, cfg, a, w, m, k, n,
                       fmt::format("trial {} WA={} P={} A={} C={} chunk={}", trial, wa.to_string(),
                                   cfg.product.to_string(), cfg.accumulator.to_string(),
                                   cfg.chunk_accumulator.to_string(), cfg.chunk));
  }
  EXPECT_GT(planned, 250);
}

TEST(FastFmaq, PresetsAndTheirEvents) {
  // The paper's formats (every event kind occurs with large operands), bf16 (product stage
  // skipped, sums rounded to odd), fp16 with inf overflow.
  std::mt19937_64 rng(22);
  const Format wa = parse_format("M4E3");
  for (const auto& [p, acc, c] : {std::tuple{"M7E4b12", "M7E4b10", 16},
                                  std::tuple{"fp32", "bf16", 0}, std::tuple{"fp16", "fp16", 8}}) {
    const AccumConfig cfg{parse_format(p), parse_format(acc), parse_format(acc), c};
    const std::int64_t m = 5, k = 64, n = 7;
    auto a = test::operand(rng, m * k, wa, 1.0, true);
    const auto w = test::operand(rng, k * n, wa, 1.0, false);
    for (std::int64_t i = 0; i < k; ++i) a[i] = std::ldexp(a[i], 12);  // row 0 overflows
    const auto fast = FastFmaq::plan(cfg, a.data(), m * k, w.data(), k * n);
    ASSERT_TRUE(fast.has_value()) << p << " " << acc;
    expect_steps_equal(*fast, cfg, a, w, m, k, n, fmt::format("{} / {}", p, acc));
  }
}

TEST(FastFmaq, RefusesWhereTheEngineDoes) {
  const std::vector<double> a{1.0, 1e-310}, w{1.0, 2.0};
  const Format paper = parse_format("M7E4b10");
  std::string reason;
  EXPECT_FALSE(FastFmaq::plan({paper, paper, paper, 0}, a.data(), 2, w.data(), 2, &reason));
  EXPECT_NE(reason.find("subnormal"), std::string::npos) << reason;
}

}  // namespace
}  // namespace lbasim::num

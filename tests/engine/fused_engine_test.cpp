// The fused-order kernel against the golden GEMM (contract section 7): identical bits and
// event counts on random fused configurations (g, F, accumulators, chunks, promotion formats),
// FP8/FP16 operands with subnormals, declared and undeclared exponent floors, ragged shapes,
// every instruction set this CPU has, 1 and 2 threads, with and without counting.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::num {
namespace {

std::vector<Isa> isas() {
  std::vector<Isa> v{Isa::portable};
  if (best_isa() == Isa::avx512) v.push_back(Isa::avx512);
  if (best_isa() != Isa::portable) v.push_back(Isa::avx2);
  return v;
}

// Values of f times 2^scale: Gaussian data with a few zeros, some rows tiny (subnormal codes).
std::vector<double> operand(std::mt19937_64& rng, std::int64_t rows, std::int64_t cols,
                            const Format& f, double sigma, int scale) {
  std::normal_distribution<double> nd(0, 1);
  std::bernoulli_distribution zero(0.1), tiny_row(0.25);
  std::vector<double> x(static_cast<std::size_t>(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i) {
    const double row_sigma = tiny_row(rng) ? f.min_normal() : sigma;
    for (std::int64_t j = 0; j < cols; ++j) {
      const double v = zero(rng) ? 0.0 : quantize(nd(rng) * row_sigma, f).value;
      x[i * cols + j] = std::ldexp(v, scale);
    }
  }
  return x;
}

void expect_same(const AccumConfig& cfg, const std::vector<double>& a, const std::vector<double>& w,
                 std::int64_t m, std::int64_t k, std::int64_t n, const OperandFloors& floors,
                 bool expect_fast, const std::string& what) {
  std::vector<double> want(m * n);
  StageCounts want_counts;
  gemm_reference(a.data(), w.data(), want.data(), m, k, n, cfg, &want_counts, floors);
  for (Isa isa : isas()) {
    for (int threads : {1, 2}) {
      std::vector<double> got(m * n, -1.0);
      StageCounts got_counts;
      const EngineReport r = gemm(a.data(), w.data(), got.data(), m, k, n, cfg, &got_counts,
                                  {threads, false, isa}, floors);
      const std::string ctx = fmt::format("{} isa={} threads={} path={} ({})", what, to_string(isa),
                                          threads, r.isa, r.reason);
      if (expect_fast) {
        EXPECT_TRUE(r.fast) << ctx;
      }
      for (std::int64_t i = 0; i < m * n; ++i)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got[i]), std::bit_cast<std::uint64_t>(want[i]))
            << ctx << " at " << i << ": got " << got[i] << " want " << want[i];
      ASSERT_EQ(to_json(got_counts).dump(), to_json(want_counts).dump()) << ctx;
      std::vector<double> quiet(m * n, -1.0);  // without counting: the same values
      gemm(a.data(), w.data(), quiet.data(), m, k, n, cfg, nullptr, {threads, false, isa}, floors);
      for (std::int64_t i = 0; i < m * n; ++i)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(quiet[i]), std::bit_cast<std::uint64_t>(want[i]))
            << ctx << " (no counts) at " << i;
    }
  }
}

Format random_accumulator(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> man(1, 23), exp(3, 8), coin(0, 1), bias_shift(-4, 4);
  Format f;
  f.man = man(rng);
  f.exp = exp(rng);
  f.bias = default_bias(f.exp) + bias_shift(rng);
  f.rounding = coin(rng) ? Rounding::rne : Rounding::rtz;
  f.underflow = coin(rng) ? Underflow::subnormal : Underflow::flush;
  f.overflow = Overflow::saturate;
  if (coin(rng)) {
    f.specials = Specials::ieee;
    // inf overflow under rtz gives max; rne would make inf, which the kernel leaves to golden.
    if (f.rounding == Rounding::rtz && coin(rng)) f.overflow = Overflow::inf;
  }
  validate(f);
  return f;
}

TEST(FusedEngine, RandomConfigurationsEqualGolden) {
  std::mt19937_64 rng(2024);
  const Format e4m3 = parse_format("fp8_e4m3"), e5m2 = parse_format("fp8_e5m2"),
               fp16 = parse_format("fp16");
  const std::vector<const Format*> was{&e4m3, &e5m2, &fp16};
  StageCounts seen;
  for (int trial = 0; trial < 60; ++trial) {
    std::uniform_int_distribution<int> dim(1, 19), kdim(1, 150), terms(1, 40), bits(0, 30),
        scale(-12, 4), coin(0, 1);
    const std::int64_t m = dim(rng), k = kdim(rng), n = dim(rng);
    const Format& fa = *was[rng() % was.size()];
    const Format& fw = *was[rng() % was.size()];
    AccumConfig cfg;
    cfg.accumulator = random_accumulator(rng);
    cfg.chunk_accumulator = coin(rng) ? cfg.accumulator : random_accumulator(rng);
    cfg.chunk = std::vector<std::int64_t>{0, 1, 7, 32, 128}[rng() % 5];
    cfg.fused = FusedOrder{terms(rng), bits(rng), true};
    const int sa = scale(rng), sw = scale(rng);
    const std::vector<double> a = operand(rng, m, k, fa, 8.0, sa);
    const std::vector<double> w = operand(rng, k, n, fw, 1.0, sw);
    OperandFloors floors;
    if (coin(rng)) {
      floors.a = operand_floor(fa, sa);
      if (coin(rng))
        floors.w = {operand_floor(fw, sw)};
      else
        for (std::int64_t j = 0; j < n; ++j) floors.w.push_back(operand_floor(fw, sw) + (j % 3));
    }
    const std::string what =
        fmt::format("trial {} {}x{}x{} g={} F={} acc={} cacc={} chunk={}", trial, m, k, n,
                    cfg.fused->terms, cfg.fused->align_bits, cfg.accumulator.to_string(),
                    cfg.chunk_accumulator.to_string(), cfg.chunk);
    expect_same(cfg, a, w, m, k, n, floors, true, what);
    if (::testing::Test::HasFatalFailure()) return;
    std::vector<double> c(m * n);
    gemm_reference(a.data(), w.data(), c.data(), m, k, n, cfg, &seen, floors);
  }
  // Every kind of event occurred somewhere in the sweep.
  EXPECT_GT(seen.accumulator.align_inexact, 0u);
  EXPECT_GT(seen.accumulator.swamped, 0u);
  EXPECT_GT(seen.accumulator.overflow, 0u);
  EXPECT_GT(seen.accumulator.underflow, 0u);
  EXPECT_GT(seen.accumulator.inexact, 0u);
  EXPECT_GT(seen.chunk.inexact, 0u);
}

// The GPU presets on FP8 data run on the fused kernel.
TEST(FusedEngine, GpuPresetsRunFast) {
  std::mt19937_64 rng(5);
  const Format e4m3 = parse_format("fp8_e4m3");
  const Format m13 = parse_format("M13E8:rtz:subnormal:ieee:inf"),
               f32rtz = parse_format("fp32:rtz");
  for (const auto& [name, cfg] :
       {std::pair{"hopper_fp8", AccumConfig{Format{}, m13, m13, 0, FusedOrder{32, 13, true}}},
        std::pair{"hopper_fp8_promote128",
                  AccumConfig{Format{}, m13, parse_format("fp32"), 128, FusedOrder{32, 13, true}}},
        std::pair{"blackwell_fp8",
                  AccumConfig{Format{}, f32rtz, f32rtz, 0, FusedOrder{32, 25, true}}},
        std::pair{"ada_fp8", AccumConfig{Format{}, m13, m13, 0, FusedOrder{16, 13, true}}}}) {
    const std::int64_t m = 9, k = 300, n = 13;
    const std::vector<double> a = operand(rng, m, k, e4m3, 40.0, 0);
    const std::vector<double> w = operand(rng, k, n, e4m3, 0.05, 0);
    OperandFloors floors;
    floors.a = -6;
    floors.w = {-6};
    expect_same(cfg, a, w, m, k, n, floors, true, name);
  }
}

// Where the kernel cannot be exact it says why and the golden model runs (same results).
TEST(FusedEngine, RefusalsFallBackToGolden) {
  std::mt19937_64 rng(9);
  const Format e4m3 = parse_format("fp8_e4m3");
  const std::int64_t m = 3, k = 40, n = 5;
  const std::vector<double> a = operand(rng, m, k, e4m3, 40.0, 0);
  const std::vector<double> w = operand(rng, k, n, e4m3, 0.05, 0);
  const Format fp16 = parse_format("fp16");
  const auto reason_of = [&](const AccumConfig& cfg) {
    std::vector<double> c(m * n);
    const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, nullptr);
    expect_same(cfg, a, w, m, k, n, {}, false, r.reason);
    EXPECT_EQ(r.fast, r.reason.empty());
    return r;
  };
  EXPECT_EQ(reason_of({Format{}, fp16, fp16, 0, FusedOrder{8, 13, true}}).reason,
            "fused accumulator overflows to inf");
  const Format m13 = parse_format("M13E8:rtz:subnormal:ieee:inf");
  EXPECT_EQ(reason_of({Format{}, m13, m13, 0, FusedOrder{32, 50, true}}).reason,
            "fused sums wider than a double");
  EXPECT_EQ(reason_of({parse_format("fp32"), m13, m13, 0, FusedOrder{32, 13, false}}).reason,
            "fused order with a product format (checked per product)");
  EXPECT_TRUE(reason_of({Format{}, m13, m13, 0, FusedOrder{32, 13, true}}).fast);
}

}  // namespace
}  // namespace lbasim::num

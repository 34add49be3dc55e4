// The fast engine against the golden GEMM: identical bits and identical event counts, on many
// random configurations, shapes (ragged included) and every instruction set this CPU has.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/numerics/scale.h"
#include "random_operands.h"

namespace lbasim::num {
namespace {

using test::operand;
using test::random_format;

std::vector<Isa> isas() {
  std::vector<Isa> v{Isa::portable};
  if (best_isa() == Isa::avx512) v.push_back(Isa::avx512);
  if (best_isa() != Isa::portable) v.push_back(Isa::avx2);
  return v;
}

void expect_same(const AccumConfig& cfg, const std::vector<double>& a, const std::vector<double>& w,
                 std::int64_t m, std::int64_t k, std::int64_t n, bool expect_fast,
                 const std::string& what) {
  std::vector<double> want(m * n);
  StageCounts want_counts;
  gemm_reference(a.data(), w.data(), want.data(), m, k, n, cfg, &want_counts);
  for (Isa isa : isas()) {
    // specialize = false: the generic kernel, also where a specialized one would apply.
    for (auto [threads, specialize] :
         {std::pair{1, true}, std::pair{2, true}, std::pair{1, false}}) {
      std::vector<double> got(m * n, -1.0);
      StageCounts got_counts;
      const EngineReport r = gemm(a.data(), w.data(), got.data(), m, k, n, cfg, &got_counts,
                                  {threads, false, isa, specialize});
      const std::string ctx = fmt::format("{} isa={} threads={} path={} ({})", what, to_string(isa),
                                          threads, r.isa, r.reason);
      if (expect_fast) {
        EXPECT_TRUE(r.fast) << ctx;
      }
      for (std::int64_t i = 0; i < m * n; ++i)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(got[i]), std::bit_cast<std::uint64_t>(want[i]))
            << ctx << " at " << i << ": got " << got[i] << " want " << want[i];
      ASSERT_EQ(to_json(got_counts).dump(), to_json(want_counts).dump()) << ctx;
    }
  }
}

TEST(Engine, PaperConfigurationIsFastAndExact) {
  std::mt19937_64 rng(1);
  const Format wa = parse_format("M4E3");
  const AccumConfig cfg{parse_format("M7E4b12"), parse_format("M7E4b10"), parse_format("M7E4b10"),
                        16};
  for (auto [m, k, n] : {std::tuple{37, 300, 19}, std::tuple{4, 16, 8}, std::tuple{5, 1, 3},
                         std::tuple{1, 577, 33}}) {
    const auto a = operand(rng, m * k, wa, 1.0, true);
    const auto w = operand(rng, k * n, wa, std::sqrt(2.0 / k), false);
    expect_same(cfg, a, w, m, k, n, true, fmt::format("paper {}x{}x{}", m, k, n));
  }
}

TEST(Engine, RandomConfigurationsMatchGolden) {
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int> dim(1, 40), chunk(0, 20);
  int fast = 0;
  for (int trial = 0; trial < 150; ++trial) {
    const Format wa = random_format(rng, 1, 4, 2, 4);
    AccumConfig cfg{
        random_format(rng, 1, 10, 3, 5), random_format(rng, 1, 12, 3, 5), {}, chunk(rng)};
    cfg.chunk_accumulator = trial % 3 == 0 ? random_format(rng, 1, 14, 3, 5) : cfg.accumulator;
    const std::int64_t m = dim(rng), k = dim(rng) * 3, n = dim(rng);
    const auto a = operand(rng, m * k, wa, 2.0, trial % 2 == 0);
    const auto w = operand(rng, k * n, wa, 0.3, false);
    std::vector<double> probe(1);
    StageCounts ignore;
    fast += gemm(a.data(), w.data(), probe.data(), 1, k, 1, cfg, &ignore).fast;
    expect_same(cfg, a, w, m, k, n, false,
                fmt::format("trial {} P={} A={} C={} chunk={} {}x{}x{}", trial,
                            cfg.product.to_string(), cfg.accumulator.to_string(),
                            cfg.chunk_accumulator.to_string(), cfg.chunk, m, k, n));
  }
  // The property is only meaningful if most trials exercised the fast path.
  EXPECT_GT(fast, 100);
}

TEST(Engine, SaturationAndFlushHeavyCases) {
  // Large operands against a narrow accumulator: overflow, swamping and flush on most steps.
  std::mt19937_64 rng(3);
  const Format wa = parse_format("M4E3");
  const AccumConfig cfg{parse_format("M3E4b9"), parse_format("M3E4b5:rne:subnormal"),
                        parse_format("M4E4b4"), 5};
  const std::int64_t m = 13, k = 90, n = 11;
  auto a = operand(rng, m * k, wa, 8.0, false);
  auto w = operand(rng, k * n, wa, 4.0, false);
  expect_same(cfg, a, w, m, k, n, true, "saturating");
}

TEST(Engine, UniformSaturatingPoliciesRunTheSpecializedKernel) {
  // The AVX-512 intrinsics kernel covers saturating stages sharing one rounding and underflow
  // policy: each of the four policies, with narrow formats so that every event kind occurs.
  std::mt19937_64 rng(5);
  const Format wa = parse_format("M4E3");
  for (const char* policy : {":rtz:flush", ":rne:flush", ":rtz:subnormal", ":rne:subnormal"}) {
    const std::string p = policy;
    const AccumConfig cfg{parse_format("M3E4b13" + p), parse_format("M4E4b11" + p),
                          parse_format("M5E4b5" + p), 7};
    const std::int64_t m = 11, k = 150, n = 21;
    const auto a = operand(rng, m * k, wa, 4.0, false);
    auto w = operand(rng, k * n, wa, 1.0, false);
    for (std::int64_t i = 0; i < k * n; i += 2 * n)  // tiny rows: products that underflow
      for (std::int64_t j = 0; j < n; ++j) w[i + j] = std::ldexp(w[i + j], -10);
    std::vector<double> c(m * n);
    StageCounts counts;
    const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, &counts);
    if (best_isa() == Isa::avx512) {
      EXPECT_EQ(r.isa, "avx512-sat") << policy;
    }
    EventCounts all = counts.product;
    all += counts.accumulator;
    all += counts.chunk;
    EXPECT_GT(all.inexact, 0u) << policy << " " << to_json(counts).dump();
    EXPECT_GT(all.overflow, 0u) << policy;
    EXPECT_GT(all.underflow, 0u) << policy;
    EXPECT_GT(all.swamped, 0u) << policy;
    expect_same(cfg, a, w, m, k, n, true, fmt::format("uniform policy {}", policy));
  }
}

TEST(Engine, InfOverflowingStagesRunTheSpecializedKernelWithGenericFallback) {
  // Formats that overflow to inf (fp16-like): blocks without overflow stay in the specialized
  // kernel, blocks with one (inf, and NaN where infinities of both signs meet) are computed again
  // by the generic kernel. Narrow accumulators make both kinds of block.
  std::mt19937_64 rng(7);
  const Format wa = parse_format("M4E3");
  for (const char* policy : {":rne:subnormal:inf:ieee", ":rne:flush:inf:ieee"}) {
    const std::string p = policy;
    const AccumConfig cfg{parse_format("M10E5" + p), parse_format("M6E4b10" + p),
                          parse_format("M6E4b10" + p), 5};
    const std::int64_t m = 13, k = 120, n = 37;
    auto a = operand(rng, m * k, wa, 1.0, false);
    const auto w = operand(rng, k * n, wa, 1.0, false);
    for (std::int64_t j = 0; j < k; ++j) a[j] = std::ldexp(a[j], 8);  // row 0 overflows
    std::vector<double> c(m * n);
    StageCounts counts;
    const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, &counts);
    if (best_isa() == Isa::avx512) {
      EXPECT_EQ(r.isa, "avx512-sat") << policy;
    }
    EXPECT_GT(counts.accumulator.overflow + counts.chunk.overflow, 0u) << policy;
    EXPECT_TRUE(std::any_of(c.begin(), c.begin() + n, [](double v) { return !std::isfinite(v); }))
        << policy;
    expect_same(cfg, a, w, m, k, n, true, fmt::format("inf overflow {}", policy));
  }
}

TEST(Engine, WideOperandsRoundProductsToOdd) {
  // Arbitrary doubles: products are not exact in double, so the generic kernel rounds them to
  // odd from TwoProduct (and sums, not exact either, from TwoSum).
  std::mt19937_64 rng(4);
  std::normal_distribution<double> nd(0, 1);
  const std::int64_t m = 7, k = 40, n = 12;
  std::vector<double> a(m * k), w(k * n);
  for (double& v : a) v = nd(rng);
  for (double& v : w) v = nd(rng);
  for (const char* acc :
       {"M7E4b10", "M20E8:rne:subnormal", "M50E9:rne:flush", "M51E8:rtz:subnormal"}) {
    const AccumConfig cfg{parse_format("M30E8:rne:subnormal"), parse_format(acc), parse_format(acc),
                          4};
    std::vector<double> c(m * n);
    const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, nullptr);
    EXPECT_TRUE(r.fast) << r.reason;
    expect_same(cfg, a, w, m, k, n, true, fmt::format("wide operands, accumulator {}", acc));
  }
}

TEST(Engine, Fp32StagesRunOnFloatsExactly) {
  // IEEE binary32 in every stage runs on the float units (kernel_fp32_impl.inc): bits and events
  // equal the golden model's. Wide operands (M11) make inexact adds; a few huge rows against
  // tiny ones make swamping; signed values make cancellation.
  std::mt19937_64 rng(5);
  const AccumConfig base{parse_format("fp32"), parse_format("fp32"), parse_format("fp32"), 0};
  for (const char* wa_name : {"M4E3", "M11E5"})
    for (std::int64_t chunk : {0, 1, 7, 16}) {
      const Format wa = parse_format(wa_name);
      AccumConfig cfg = base;
      cfg.chunk = chunk;
      const std::int64_t m = 9, k = 83, n = 21;
      const auto a = operand(rng, m * k, wa, 1, false);
      auto w = operand(rng, k * n, wa, 0.1, false);
      for (std::int64_t j = 0; j < n; ++j) w[5 * n + j] = std::ldexp(w[5 * n + j], 30);
      std::vector<double> c(m * n);
      StageCounts counts;
      const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, &counts);
      EXPECT_EQ(r.isa, "fp32-" + to_string(best_isa())) << r.reason;
      EventCounts adds = counts.accumulator;
      adds += counts.chunk;
      EXPECT_GT(adds.inexact, 0u) << wa_name << " chunk " << chunk;
      EXPECT_GT(adds.swamped, 0u) << wa_name << " chunk " << chunk;
      expect_same(cfg, a, w, m, k, n, true, fmt::format("fp32 {} chunk {}", wa_name, chunk));
    }
}

TEST(Engine, Fp32StagesWithWideOperandsRoundToOdd) {
  // Products of two 24-bit significands are not exact floats: not the float kernel, but the
  // double kernels with sums rounded to odd.
  std::mt19937_64 rng(6);
  std::normal_distribution<double> nd(0, 1);
  const AccumConfig cfg{parse_format("fp32"), parse_format("fp32"), parse_format("fp32"), 0};
  const std::int64_t m = 9, k = 40, n = 10;
  std::vector<double> a(m * k), w(k * n);
  for (double& v : a) v = static_cast<float>(nd(rng));
  for (double& v : w) v = static_cast<float>(nd(rng));
  std::vector<double> c(m * n);
  const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, nullptr);
  EXPECT_TRUE(r.fast) << r.reason;
  EXPECT_EQ(r.isa.find("fp32"), std::string::npos) << r.isa;
  expect_same(cfg, a, w, m, k, n, true, "fp32 wide operands");
}

TEST(Engine, Bf16AccumulatorsRunTheSpecializedKernel) {
  // The bf16 presets: fp32 products (exact for FP8 operands: the product stage is skipped) or
  // M7E8 products, into a bf16 accumulator, whose sums are not exact doubles (rounded to odd).
  // Rows of very different scales make swamping and inexact adds.
  std::mt19937_64 rng(8);
  const Format wa = parse_format("M4E3");
  for (const char* prod : {"fp32", "bf16"})
    for (std::int64_t chunk : {0, 16}) {
      const AccumConfig cfg{parse_format(prod), parse_format("bf16"), parse_format("bf16"), chunk};
      const std::int64_t m = 10, k = 200, n = 19;
      auto a = operand(rng, m * k, wa, 1.0, true);
      const auto w = operand(rng, k * n, wa, 0.1, false);
      for (std::int64_t i = 0; i < m * k; i += 7) a[i] = std::ldexp(a[i], 20);
      std::vector<double> c(m * n);
      StageCounts counts;
      const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, &counts);
      if (best_isa() == Isa::avx512) {
        EXPECT_EQ(r.isa, "avx512-sat") << prod << " " << r.reason;
      }
      EXPECT_GT(counts.accumulator.inexact, 0u) << prod;
      EXPECT_GT(counts.accumulator.swamped, 0u) << prod;
      expect_same(cfg, a, w, m, k, n, true, fmt::format("bf16 product {} chunk {}", prod, chunk));
    }
}

TEST(Engine, MixedStagePoliciesRunTheSpecializedKernel) {
  // Tensor-core style chains: an M13E8 rtz/subnormal accumulator promoted every 128 products
  // into an fp32 (rne) chunk accumulator; product stages of every kind.
  std::mt19937_64 rng(9);
  const Format wa = parse_format("fp8_e4m3");
  for (const char* prod : {"fp32", "M13E8:rtz:subnormal", "M3E5b20", "M6E5:rne:flush"})
    for (const char* cacc : {"fp32", "M13E8:rtz:subnormal", "M10E8b130"}) {
      const AccumConfig cfg{parse_format(prod), parse_format("M13E8:rtz:subnormal"),
                            parse_format(cacc), 128};
      const std::int64_t m = 6, k = 300, n = 11;
      const auto a = operand(rng, m * k, wa, 1.0, false);
      auto w = operand(rng, k * n, wa, 1.0, false);
      for (std::int64_t i = 0; i < k * n; i += 3) w[i] = std::ldexp(w[i], -12);
      std::vector<double> c(m * n);
      const EngineReport r = gemm(a.data(), w.data(), c.data(), m, k, n, cfg, nullptr);
      if (best_isa() == Isa::avx512) {
        EXPECT_EQ(r.isa, "avx512-sat") << prod << " " << cacc << " " << r.reason;
      }
      expect_same(cfg, a, w, m, k, n, true,
                  fmt::format("product {} chunk accumulator {}", prod, cacc));
    }
}

TEST(Engine, TiesHiddenBelowDoublePrecisionRoundCorrectly) {
  // acc = 1 (M7) plus y = 2^-8 + 2^-58: the exact sum lies just above the tie between 1 and
  // 1 + 2^-7, but its nearest double is the tie itself; a naive double sum would round to even
  // (1), the contract rounds up. And y = 2^-8 - 2^-58 the other way (rtz must give 1 either
  // way, rne 1 for that one).
  for (double sign : {1.0, -1.0})
    for (const char* acc : {"M7E8:rne:subnormal", "M7E8:rtz:subnormal", "M7E8:rne:flush"}) {
      const AccumConfig cfg{parse_format("M50E8:rne:subnormal"), parse_format(acc),
                            parse_format(acc), 0};
      // A = [[1, 1]], W = [[1], [y]] with products 1 and y in ascending k.
      const std::int64_t m = 4, k = 2, n = 8;
      std::vector<double> a(m * k, 1.0), w(k * n);
      for (std::int64_t j = 0; j < n; ++j) {
        w[j] = 1.0;
        w[n + j] = sign * (std::ldexp(1.0, -8) + (j % 2 ? 1 : -1) * std::ldexp(1.0, -58 + j / 2));
      }
      std::vector<double> want(m * n);
      gemm_reference(a.data(), w.data(), want.data(), m, k, n, cfg, nullptr);
      if (cfg.accumulator.rounding == Rounding::rne && sign > 0) {
        ASSERT_EQ(want[1], 1.0 + std::ldexp(1.0, -7)) << "the golden model itself";
      }
      expect_same(cfg, a, w, m, k, n, true, fmt::format("hidden tie, {} sign {}", acc, sign));
    }
}

TEST(Engine, RandomWideConfigurationsMatchGolden) {
  // Formats with up to 10 exponent and 50 mantissa bits, whose sums are not exact doubles, and
  // operands from FP8 to float and double, spread over many binades.
  std::mt19937_64 rng(10);
  std::uniform_int_distribution<int> dim(1, 30), chunk(0, 40), spread(0, 60);
  const std::vector<Format> was{parse_format("M4E3"), parse_format("M10E5"), parse_format("M23E8"),
                                parse_format("M40E9")};
  int fast = 0, odd_sums = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const Format& wa = was[trial % was.size()];
    AccumConfig cfg{
        random_format(rng, 1, 50, 5, 10), random_format(rng, 1, 50, 6, 10), {}, chunk(rng)};
    cfg.chunk_accumulator = trial % 3 == 0 ? random_format(rng, 1, 50, 6, 10) : cfg.accumulator;
    if (trial % 5 == 1) {  // OCP E4M3-style: only the top code is NaN, max one ulp lower
      cfg.accumulator.specials = Specials::nan;
      cfg.accumulator.overflow = Overflow::saturate;
    }
    const std::int64_t m = dim(rng), k = dim(rng) * 3, n = dim(rng);
    auto a = operand(rng, m * k, wa, 2.0, trial % 2 == 0);
    auto w = operand(rng, k * n, wa, 0.3, false);
    if (trial % 5 == 1)  // large rows: saturation at the nan-specials max
      for (std::int64_t i = 0; i < k; ++i) a[i] = std::ldexp(a[i], cfg.accumulator.emax() - 2);
    const int s = spread(rng);
    for (std::int64_t i = 0; i < m * k; i += 3) a[i] = std::ldexp(a[i], -s);
    for (std::int64_t i = 1; i < k * n; i += 5) w[i] = std::ldexp(w[i], s / 2);
    std::vector<double> probe(1);
    const EngineReport r = gemm(a.data(), w.data(), probe.data(), 1, k, 1, cfg, nullptr);
    fast += r.fast;
    odd_sums +=
        r.fast && cfg.accumulator.emax() - cfg.accumulator.emin() + cfg.accumulator.man > 51;
    expect_same(cfg, a, w, m, k, n, false,
                fmt::format("trial {} WA={} P={} A={} C={} chunk={} spread={} {}x{}x{}", trial,
                            wa.to_string(), cfg.product.to_string(), cfg.accumulator.to_string(),
                            cfg.chunk_accumulator.to_string(), cfg.chunk, s, m, k, n));
  }
  EXPECT_GT(fast, 100);
  EXPECT_GT(odd_sums, 50);
}

TEST(Engine, RemainingRefusalsSayWhy) {
  // What still takes the golden path: `none` policies (ablations), rne with M > 50 where sums
  // are rounded to odd, subnormal double operands.
  const std::vector<double> a{1.0, 0.5}, w{0.25, 3.0};
  std::vector<double> c(1);
  const auto reason = [&](const AccumConfig& cfg, const std::vector<double>& aa) {
    const EngineReport r = gemm(aa.data(), w.data(), c.data(), 1, 2, 1, cfg, nullptr);
    EXPECT_FALSE(r.fast);
    return r.reason;
  };
  const Format paper = parse_format("M7E4b10");
  EXPECT_NE(reason({parse_format("M7E4b12:underflow=none"), paper, paper, 0}, a).find("none"),
            std::string::npos);
  const Format m51 = parse_format("M51E8:rne:subnormal");
  EXPECT_NE(reason({m51, m51, m51, 0}, a).find("M > 50"), std::string::npos);
  EXPECT_NE(reason({paper, paper, paper, 0}, {1.0, 1e-310}).find("subnormal"), std::string::npos);
}

// Every FMAq-chain accumulation config shipped in configs/ runs on the fast engine with W/A in
// the traces' format.
TEST(Engine, EveryPresetRunsFast) {
  std::mt19937_64 rng(11);
  const Format wa = parse_format("M4E3");
  int presets = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(LBASIM_SOURCE_DIR) / "configs")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const nlohmann::json j = nlohmann::json::parse(in);
    if (!j.is_object() || !j.contains("accumulator")) continue;  // sweep specs, not configs
    if (j.contains("fused")) continue;  // the fused order (contract section 7) has its own kernels
    const AccumConfig cfg = accum_config_from_json(j);
    const std::int64_t m = 9, k = 100, n = 13;
    const auto a = operand(rng, m * k, wa, 1.0, true);
    const auto w = operand(rng, k * n, wa, 0.1, false);
    expect_same(cfg, a, w, m, k, n, true, entry.path().string());
    ++presets;
  }
  EXPECT_GT(presets, 10);
}

}  // namespace
}  // namespace lbasim::num

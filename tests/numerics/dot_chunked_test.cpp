// Chunked dot products and the reference GEMM against the oracle's contract-order dot product,
// value and per-stage event counts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "expect_helpers.h"
#include "lbasim/base/error.h"
#include "lbasim/numerics/accumulate.h"
#include "mpfr_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::expect_counts;
using testing::hex;
using testing::make_format;
using U = Underflow;
using O = Overflow;
using R = Rounding;

struct DotCase {
  std::string name;
  Format wa;
  AccumConfig cfg;  // chunk is overridden by the sweep
};
void PrintTo(const DotCase& c, std::ostream* os) { *os << c.name; }

// M4E3 with a flexible bias of 7, so that products reach below the product format's 2^-11.
const Format kPaperWa = make_format(4, 3, 7, U::flush, O::saturate, R::rtz);
const Format kPaperProd = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
const Format kPaperAcc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);

std::vector<DotCase> dot_cases() {
  const Format rne_acc = make_format(7, 4, 10, U::subnormal, O::saturate, R::rne);
  return {
      {"paper", kPaperWa, {kPaperProd, kPaperAcc, kPaperAcc, 0}},
      {"paper_fp32_chunk_acc", kPaperWa, {kPaperProd, kPaperAcc, testing::fp32(), 0}},
      {"paper_M10E5_chunk_acc",
       kPaperWa,
       {kPaperProd, kPaperAcc, make_format(10, 5, 15, U::subnormal, O::saturate, R::rne), 0}},
      {"paper_narrow_chunk_acc",
       kPaperWa,
       {kPaperProd, kPaperAcc, make_format(3, 4, 8, U::flush, O::saturate, R::rtz), 0}},
      {"rne_subnormal", kPaperWa, {kPaperProd, rne_acc, rne_acc, 0}},
      {"fp8_fp16", testing::fp8_e4m3(), {testing::fp16(), testing::fp16(), testing::fp32(), 0}},
      {"fp32", testing::fp32(), {testing::fp32(), testing::fp32(), testing::fp32(), 0}},
  };
}

// Members of the W/A format spread over a few binades, with a per-vector scale.
std::vector<double> random_vector(std::mt19937_64& rng, const Format& f, int k, int kind) {
  std::normal_distribution<double> normal(0.0, 1.0);
  const int scale = static_cast<int>(rng() % 6) - 4;
  std::vector<double> v(k);
  for (int i = 0; i < k; ++i) {
    double x = std::ldexp(normal(rng), scale);
    if (kind == 1) x = std::abs(x) + 1;                     // all positive: overflow
    if (kind == 2 && i == 0) x = std::ldexp(1.0, 3);        // one large, the rest swamped
    if (kind == 3) x = std::ldexp(i % 2 ? -1.0 : 1.0, -2);  // exact cancellation
    v[i] = oracle::quantize(x, f).value;
  }
  return v;
}

class DotOracle : public ::testing::TestWithParam<DotCase> {};

TEST_P(DotOracle, ChunkSizesAndEvents) {
  const DotCase& c = GetParam();
  std::mt19937_64 rng(std::hash<std::string>{}(c.name));
  oracle::Counts seen;  // every event kind the sweep produced, to show it exercised them
  for (int k : {1, 2, 5, 16, 37, 64, 100}) {
    for (std::int64_t chunk : {0, 1, 3, 7, 16, k, k + 5}) {
      for (int rep = 0; rep < 12; ++rep) {
        const int kind = rep % 4;
        const std::vector<double> a = random_vector(rng, c.wa, k, kind);
        const std::vector<double> w = random_vector(rng, c.wa, k, kind == 3 ? 0 : kind);
        AccumConfig cfg = c.cfg;
        cfg.chunk = chunk;
        const oracle::DotResult want =
            oracle::dot(a, w, chunk, cfg.product, cfg.accumulator, cfg.chunk_accumulator);
        StageCounts got_counts;
        const double got = dot_chunked(a.data(), 1, w.data(), 1, k, cfg, &got_counts);
        const std::string what = c.name + " k=" + std::to_string(k) +
                                 " chunk=" + std::to_string(chunk) + " rep=" + std::to_string(rep);
        ASSERT_TRUE(oracle::same_bits(got, want.value))
            << what << ": expected " << hex(want.value) << " got " << hex(got);
        expect_counts(got_counts.product, want.product, what + " product");
        expect_counts(got_counts.accumulator, want.accumulator, what + " accumulator");
        expect_counts(got_counts.chunk, want.chunk, what + " chunk");
        if (::testing::Test::HasFailure()) return;
        for (const oracle::Counts* st : {&want.product, &want.accumulator, &want.chunk}) {
          seen.overflow += st->overflow;
          seen.underflow += st->underflow;
          seen.swamped += st->swamped;
          seen.inexact += st->inexact;
        }
      }
    }
  }
  if (c.name == "paper") {
    EXPECT_GT(seen.overflow, 0u);
    EXPECT_GT(seen.underflow, 0u);
    EXPECT_GT(seen.swamped, 0u);
    EXPECT_GT(seen.inexact, 0u);
  }
  RecordProperty("overflow", std::to_string(seen.overflow));
  RecordProperty("underflow", std::to_string(seen.underflow));
  RecordProperty("swamped", std::to_string(seen.swamped));
  RecordProperty("inexact", std::to_string(seen.inexact));
}

INSTANTIATE_TEST_SUITE_P(Configs, DotOracle, ::testing::ValuesIn(dot_cases()),
                         [](const auto& info) { return info.param.name; });

// Hand-derived: 16 products of 2^-3 * 2^-3 in M7E4b10 rtz, chunk 4: every partial sum is exact.
TEST(DotChunked, ExactSmallSumByHand) {
  const std::vector<double> a(16, 0.125), w(16, 0.125);
  const AccumConfig cfg{kPaperProd, kPaperAcc, kPaperAcc, 4};
  StageCounts counts;
  EXPECT_EQ(dot_chunked(a.data(), 1, w.data(), 1, 16, cfg, &counts), 0.25);
  EXPECT_EQ(counts.product.ops, 16u);
  EXPECT_EQ(counts.accumulator.ops, 16u);
  EXPECT_EQ(counts.chunk.ops, 4u);
  EXPECT_EQ(counts.product.inexact + counts.accumulator.inexact + counts.chunk.inexact, 0u);
}

// Hand-derived swamping: 1 then 2^-8 seven times in M7E4b10 rtz stays 1 (one chunk) while
// chunks of 8 let the small terms add up first.
TEST(DotChunked, ChunkingAvoidsSwampingByHand) {
  std::vector<double> a(9, 0x1p-8), w(9, 1.0);
  a[0] = 1.0;
  AccumConfig cfg{kPaperProd, kPaperAcc, kPaperAcc, 0};
  StageCounts one;
  EXPECT_EQ(dot_chunked(a.data(), 1, w.data(), 1, 9, cfg, &one), 1.0);
  EXPECT_EQ(one.accumulator.swamped, 8u);
  cfg.chunk = 1;
  StageCounts per_term;
  EXPECT_EQ(dot_chunked(a.data(), 1, w.data(), 1, 9, cfg, &per_term), 1.0);
  EXPECT_EQ(per_term.chunk.swamped, 8u);
  EXPECT_EQ(per_term.accumulator.swamped, 0u);
  // Small terms first, chunks of 8: the first chunk sums to 2^-5 exactly, and 2^-5 + 1 is exact.
  std::rotate(a.begin(), a.begin() + 1, a.end());
  cfg.chunk = 8;
  StageCounts chunked;
  EXPECT_EQ(dot_chunked(a.data(), 1, w.data(), 1, 9, cfg, &chunked), 1.0 + 0x1p-5);
  EXPECT_EQ(chunked.chunk.swamped, 0u);
}

TEST(DotChunked, EmptyIsPositiveZero) {
  const AccumConfig cfg{kPaperProd, kPaperAcc, kPaperAcc, 4};
  StageCounts counts;
  const double r = dot_chunked(nullptr, 1, nullptr, 1, 0, cfg, &counts);
  EXPECT_EQ(r, 0.0);
  EXPECT_FALSE(std::signbit(r));
  // No chunks at all: nothing is quantized in any stage.
  EXPECT_EQ(counts.product.ops + counts.accumulator.ops + counts.chunk.ops, 0u);
  std::vector<double> c(6, 1.0);
  gemm_reference(nullptr, nullptr, c.data(), 2, 0, 3, cfg, nullptr);
  for (double x : c) EXPECT_TRUE(x == 0.0 && !std::signbit(x));
}

// All-negative-zero products: s starts at +0, so +0 + -0 = +0 throughout.
TEST(DotChunked, NegativeZeroProductsGivePositiveZero) {
  const std::vector<double> a = {-0.0, 0.0, -1.0}, w = {1.0, -1.0, 0.0};
  const AccumConfig cfg{kPaperProd, kPaperAcc, kPaperAcc, 0};
  const double r = dot_chunked(a.data(), 1, w.data(), 1, 3, cfg, nullptr);
  EXPECT_EQ(r, 0.0);
  EXPECT_FALSE(std::signbit(r));
}

TEST(GemmReference, EveryOutputIsTheContractDot) {
  std::mt19937_64 rng(41);
  const int m = 5, k = 37, n = 6;
  for (std::int64_t chunk : {0, 4, 16}) {
    std::vector<double> a(m * k), w(k * n), c(m * n);
    for (double& x : a) x = oracle::quantize(testing::random_value(rng, kPaperWa), kPaperWa).value;
    for (double& x : w) x = oracle::quantize(testing::random_value(rng, kPaperWa), kPaperWa).value;
    const AccumConfig cfg{kPaperProd, kPaperAcc, testing::fp32(), chunk};
    StageCounts counts;
    gemm_reference(a.data(), w.data(), c.data(), m, k, n, cfg, &counts);
    oracle::Counts prod, acc, cacc;
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) {
        std::vector<double> row(a.begin() + i * k, a.begin() + (i + 1) * k), col(k);
        for (int t = 0; t < k; ++t) col[t] = w[t * n + j];
        const oracle::DotResult want =
            oracle::dot(row, col, chunk, cfg.product, cfg.accumulator, cfg.chunk_accumulator);
        EXPECT_TRUE(oracle::same_bits(c[i * n + j], want.value))
            << "C[" << i << "][" << j << "] chunk " << chunk << ": expected " << hex(want.value)
            << " got " << hex(c[i * n + j]);
        for (auto [dst, src] : {std::pair{&prod, &want.product}, std::pair{&acc, &want.accumulator},
                                std::pair{&cacc, &want.chunk}}) {
          dst->ops += src->ops;
          dst->overflow += src->overflow;
          dst->underflow += src->underflow;
          dst->swamped += src->swamped;
          dst->inexact += src->inexact;
        }
      }
    }
    expect_counts(counts.product, prod, "gemm product");
    expect_counts(counts.accumulator, acc, "gemm accumulator");
    expect_counts(counts.chunk, cacc, "gemm chunk");
  }
}

TEST(AccumConfigJson, DefaultsAndErrors) {
  using nlohmann::json;
  const AccumConfig c = accum_config_from_json(
      json::parse(R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": 16})"));
  EXPECT_EQ(c.product, kPaperProd);
  EXPECT_EQ(c.accumulator, kPaperAcc);
  EXPECT_EQ(c.chunk_accumulator, kPaperAcc);  // defaults to the accumulator
  EXPECT_EQ(c.chunk, 16);
  const AccumConfig d = accum_config_from_json(json::parse(
      R"({"product": {"man": 7, "exp": 4, "bias": 12}, "accumulator": "M7E4b10", "chunk": 0,
          "chunk_accumulator": "fp32"})"));
  EXPECT_EQ(d.product, kPaperProd);
  EXPECT_EQ(d.chunk_accumulator, testing::fp32());
  EXPECT_EQ(accum_config_from_json(to_json(d)), d);

  const auto expect_error = testing::expect_config_error;
  expect_error(R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": -1})", {"chunk", "-1"});
  expect_error(R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": 16, "chnk": 2})",
               {"chnk"});
  expect_error(R"({"product": "M7E4b12", "chunk": 16})", {"accumulator"});
  expect_error(R"({"product": "M7E4b99x", "accumulator": "M7E4b10", "chunk": 16})",
               {"product", "M7E4b99x"});
  expect_error(R"({"product": "M7E4b12", "accumulator": "M7E4:inf", "chunk": 16})",
               {"accumulator", "inf"});
  expect_error(R"({"product": "M7E4b12", "accumulator": "M7E4b10", "chunk": "16"})", {"chunk"});
  expect_error(R"([1, 2])", {});
}

}  // namespace
}  // namespace lbasim::num

// The fused order (section 7) on hand-derived cases: what sets it apart from a renormalizing or
// rounding adder, the exponent floors of subnormal operands and sums, the events, specials, and
// the config JSON that selects it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "expect_helpers.h"
#include "lbasim/base/error.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/events.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::make_format;
using U = Underflow;
using O = Overflow;
using R = Rounding;
using S = Specials;

const Format kM13E8 = testing::m13e8_rtz();
const Format kFp32Rtz = testing::fp32_rtz();

AccumConfig fused(int g, int f, const Format& acc, std::int64_t chunk = 0) {
  return {Format{}, acc, acc, chunk, FusedOrder{g, f, true}};
}

double dot(const std::vector<double>& a, const std::vector<double>& w, const AccumConfig& cfg,
           StageCounts* counts = nullptr, int floor_a = kNoFloor, int floor_w = kNoFloor) {
  return dot_chunked(a.data(), 1, w.data(), 1, static_cast<std::int64_t>(a.size()), cfg, counts,
                     floor_a, floor_w);
}

// DeepSeek's effect: after a product of 1, products of 2^-14 are below 2^(E-F) = 2^-13 and are
// cut to zero, each one counted as swamped and align_inexact.
TEST(FusedStep, SmallTermsAreCutBelowTheAlignmentQuantum) {
  std::vector<double> a(32, 0x1p-14), w(32, 1.0);
  a[0] = 1.0;
  StageCounts c;
  EXPECT_EQ(dot(a, w, fused(32, 13, kM13E8), &c), 1.0);
  EXPECT_EQ(c.accumulator.ops, 1u);
  EXPECT_EQ(c.accumulator.swamped, 31u);
  EXPECT_EQ(c.accumulator.align_inexact, 31u);
  EXPECT_EQ(c.accumulator.inexact, 0u);
  EXPECT_EQ(c.product.ops, 32u);
  // 2^-13 survives: 1 + 31 * 2^-13 is exact in 13 fraction bits.
  std::fill(a.begin() + 1, a.end(), 0x1p-13);
  StageCounts d;
  EXPECT_EQ(dot(a, w, fused(32, 13, kM13E8), &d), 1.0 + 31 * 0x1p-13);
  EXPECT_EQ(d.accumulator.swamped + d.accumulator.align_inexact, 0u);
}

// Products are not renormalized: 1.5 * 1.5 = 2.25 has exponent e(a) + e(w) = 0, so F = 2 keeps
// bits down to 2^-2 and 2.25 is exact (a renormalizing adder would align at 2^1 and keep 2.0).
TEST(FusedStep, ProductExponentIsTheSumOfOperandExponents) {
  StageCounts c;
  EXPECT_EQ(dot({1.5}, {1.5}, fused(1, 2, kFp32Rtz), &c), 2.25);
  EXPECT_EQ(c.accumulator.align_inexact, 0u);
  // With F = 1 the quantum is 2^-1: 2.25 is cut to 2.
  StageCounts d;
  EXPECT_EQ(dot({1.5}, {1.5}, fused(1, 1, kFp32Rtz), &d), 2.0);
  EXPECT_EQ(d.accumulator.align_inexact, 1u);
}

// Truncation toward zero of each term before the sum: -1.75 with F = 1 is cut to -1.5, and
// the sum of cut terms is rounded once (here exactly representable).
TEST(FusedStep, TermsAreCutTowardZeroBeforeTheSum) {
  StageCounts c;
  EXPECT_EQ(dot({1.0, -1.75}, {1.0, 1.0}, fused(2, 1, kFp32Rtz), &c), -0.5);
  EXPECT_EQ(c.accumulator.align_inexact, 1u);
  EXPECT_EQ(c.accumulator.inexact, 0u);
}

// Subnormal FP8 operands (e4m3: 0.m * 2^-6) align by exponent -6: 2^-9 and 3 * 2^-9 with F = 2
// keep bits down to 2^-8, so 2^-9 is cut and the sum is 2^-8. Undeclared, their own exponents
// (-9 and -8) keep both exactly: 2^-7.
TEST(FusedStep, SubnormalOperandsAlignAtTheirFormatsMinimumExponent) {
  const std::vector<double> a{0x1p-9, 0x3p-9}, w{1.0, 1.0};
  const Format e4m3 = testing::fp8_e4m3();
  const int floor = operand_floor(e4m3);
  EXPECT_EQ(floor, -6);
  StageCounts c;
  EXPECT_EQ(dot(a, w, fused(2, 2, kFp32Rtz), &c, floor, floor), 0x1p-8);
  EXPECT_EQ(c.accumulator.swamped, 1u);
  EXPECT_EQ(dot(a, w, fused(2, 2, kFp32Rtz)), 0x1p-7);
  // A scale of 2^s moves the floor with the values.
  EXPECT_EQ(operand_floor(e4m3, 5), -1);
  EXPECT_EQ(operand_floor(make_format(4, 3, 3, U::flush, O::saturate, R::rtz), 5), kNoFloor);
  const std::vector<double> as{0x1p-4, 0x3p-4};
  EXPECT_EQ(dot(as, w, fused(2, 2, kFp32Rtz), nullptr, operand_floor(e4m3, 5), floor), 0x1p-3);
}

// A subnormal running sum aligns at the accumulator's minimum exponent: s = 2^-9 in M3E4
// (emin -6, quantum 2^-9) has e(s) = -6, so with F = 2 it is cut to zero by a product of 2^-9.
TEST(FusedStep, SubnormalRunningSumAlignsAtTheAccumulatorsMinimumExponent) {
  const Format acc = make_format(3, 4, 7, U::subnormal, O::saturate, R::rtz);
  StageCounts c;
  // Group 1: s = 2^-9 (exact). Group 2: terms s = 2^-9 (e -6) and 2^-9 (e -9): q = -8.
  EXPECT_EQ(dot({0x1p-9, 0x1p-9}, {1.0, 1.0}, fused(1, 2, acc), &c), 0.0);
  EXPECT_EQ(c.accumulator.ops, 2u);
  EXPECT_EQ(c.accumulator.swamped, 2u);  // both terms of group 2 cut
  EXPECT_EQ(c.accumulator.align_inexact, 2u);
  EXPECT_EQ(c.accumulator.underflow, 0u);  // the cut sum is an exact zero, not an underflow
}

TEST(FusedStep, ZeroGroupsAndCancellationGivePositiveZero) {
  StageCounts c;
  const double z = dot({0.0, -0.0, 1.0, 1.0}, {-1.0, 1.0, 2.0, -2.0}, fused(2, 13, kM13E8), &c);
  EXPECT_EQ(z, 0.0);
  EXPECT_FALSE(std::signbit(z));
  EXPECT_EQ(c.accumulator.ops, 2u);
  EXPECT_EQ(c.accumulator.swamped + c.accumulator.inexact + c.accumulator.align_inexact, 0u);
}

// Groups restart at every chunk; the last group of a chunk may be short: k = 10, chunk 4, g 3
// gives groups {3, 1}, {3, 1}, {2}.
TEST(FusedStep, GroupsRestartInEachChunk) {
  const std::vector<double> a(10, 1.0), w(10, 1.0);
  StageCounts c;
  EXPECT_EQ(dot(a, w, fused(3, 13, kM13E8, 4), &c), 10.0);
  EXPECT_EQ(c.accumulator.ops, 5u);
  EXPECT_EQ(c.chunk.ops, 3u);
  EXPECT_EQ(c.product.ops, 10u);
}

// The group's Q_acc swamps like an FMAq add: F = 25 keeps 2^-24 next to 1, the M23 rtz
// accumulator drops it; a group whose terms were all cut is not counted twice.
TEST(FusedStep, RoundingIntoTheAccumulatorCanSwampAGroup) {
  StageCounts c;
  EXPECT_EQ(dot({1.0, 0x1p-24}, {1.0, 1.0}, fused(1, 25, kFp32Rtz), &c), 1.0);
  EXPECT_EQ(c.accumulator.swamped, 1u);
  EXPECT_EQ(c.accumulator.inexact, 1u);
  EXPECT_EQ(c.accumulator.align_inexact, 0u);
  StageCounts d;
  EXPECT_EQ(dot({1.0, 0x1p-30}, {1.0, 1.0}, fused(1, 25, kFp32Rtz), &d), 1.0);
  EXPECT_EQ(d.accumulator.swamped, 1u);  // cut, and the empty aligned sum swamps nothing more
  EXPECT_EQ(d.accumulator.align_inexact, 1u);
}

TEST(FusedStep, SaturationAndUnderflowOfTheGroupSum) {
  const Format small = make_format(3, 4, 4, U::flush, O::saturate, R::rtz);  // max 2^11 * 1.875
  StageCounts c;
  EXPECT_EQ(dot({2048.0, 2048.0}, {1.0, 1.0}, fused(2, 13, small), &c), small.max_value());
  EXPECT_EQ(c.accumulator.overflow, 1u);
  StageCounts d;
  EXPECT_EQ(dot({0x1p-5, -0x1p-6}, {1.0, 1.0}, fused(2, 13, small), &d), 0.0);  // 2^-6 < 2^-3
  EXPECT_EQ(d.accumulator.underflow, 1u);
}

// inf and NaN terms: the IEEE sum of the terms, then Q_acc's rule for specials.
TEST(FusedStep, SpecialOperands) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(dot({inf, 1.0}, {1.0, 1.0}, fused(2, 13, kFp32Rtz)), inf);
  EXPECT_TRUE(std::isnan(dot({inf, -inf}, {1.0, 1.0}, fused(2, 13, kFp32Rtz))));
  EXPECT_TRUE(std::isnan(dot({inf, 1.0}, {0.0, 1.0}, fused(1, 13, kFp32Rtz))));
  StageCounts c;
  const Format sat = make_format(13, 8, 127, U::subnormal, O::saturate, R::rtz, S::ieee);
  EXPECT_EQ(dot({-inf}, {1.0}, fused(2, 13, sat), &c), -sat.max_value());
  EXPECT_EQ(c.accumulator.overflow, 1u);
  const Format no_nan = make_format(13, 8, 127, U::subnormal, O::saturate, R::rtz);
  EXPECT_THROW(dot({inf, -inf}, {1.0, 1.0}, fused(2, 13, no_nan)), InputError);
}

// A product format instead of "exact" must hold every product: M7E4b12 holds 1.5 * 1.5 but
// not 1.125 * 1.0078125 (10 significant bits).
TEST(FusedStep, ProductFormatMustHoldEveryProduct) {
  AccumConfig cfg = fused(2, 13, kM13E8);
  cfg.fused->exact_product = false;
  cfg.product = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
  EXPECT_EQ(dot({1.5, 1.0}, {1.5, 1.0}, cfg), 3.25);
  try {
    dot({1.125}, {1.0078125}, cfg);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("product"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("M7E4b12"));
  }
}

TEST(FusedConfigJson, ParsesAndRoundTrips) {
  using nlohmann::json;
  const AccumConfig c = accum_config_from_json(json::parse(
      R"({"product": "exact", "accumulator": "M13E8:rtz:subnormal:ieee:inf",
          "fused": {"terms": 32, "align_bits": 13}, "chunk": 128, "chunk_accumulator": "fp32"})"));
  ASSERT_TRUE(c.fused.has_value());
  EXPECT_EQ(c.fused->terms, 32);
  EXPECT_EQ(c.fused->align_bits, 13);
  EXPECT_TRUE(c.fused->exact_product);
  EXPECT_EQ(c.accumulator, kM13E8);
  EXPECT_EQ(c.chunk, 128);
  EXPECT_EQ(product_to_string(c), "exact");
  EXPECT_EQ(accum_config_from_json(to_json(c)), c);
  // "product" defaults to exact with "fused"; a format is kept.
  const AccumConfig d = accum_config_from_json(
      json::parse(R"({"accumulator": "fp32", "fused": {"terms": 16, "align_bits": 25}})"));
  EXPECT_TRUE(d.fused->exact_product);
  const AccumConfig e = accum_config_from_json(json::parse(
      R"({"product": "fp32", "accumulator": "fp32", "fused": {"terms": 16, "align_bits": 25}})"));
  EXPECT_FALSE(e.fused->exact_product);
  EXPECT_EQ(e.product, testing::fp32());
  EXPECT_EQ(accum_config_from_json(to_json(e)), e);
  // Without "fused" the chain is unchanged and to_json has no "fused".
  const AccumConfig chain =
      accum_config_from_json(json::parse(R"({"product": "M7E4b12", "accumulator": "M7E4b10"})"));
  EXPECT_FALSE(chain.fused.has_value());
  EXPECT_FALSE(to_json(chain).contains("fused"));
}

TEST(FusedConfigJson, ErrorsNameTheKey) {
  const auto expect_error = testing::expect_config_error;
  expect_error(R"({"product": "exact", "accumulator": "fp32"})", {"product", "exact", "fused"});
  expect_error(R"({"accumulator": "fp32", "fused": 32})", {"fused", "32"});
  expect_error(R"({"accumulator": "fp32", "fused": {"terms": 0, "align_bits": 13}})",
               {"fused.terms", "0", "1..1024"});
  expect_error(R"({"accumulator": "fp32", "fused": {"terms": 32, "align_bits": -1}})",
               {"fused.align_bits", "-1", "0..100"});
  expect_error(R"({"accumulator": "fp32", "fused": {"terms": 32, "align_bits": 1.5}})",
               {"fused.align_bits", "1.5"});
  expect_error(R"({"accumulator": "fp32", "fused": {"terms": 32}})", {"fused.align_bits"});
  expect_error(R"({"accumulator": "fp32", "fused": {"terms": 32, "align_bits": 13, "f": 1}})",
               {"'fused.f'"});
  expect_error(R"({"accumulator": "fp32", "fused": {"terms": 2000, "align_bits": 13}})",
               {"fused.terms", "2000"});
  expect_error(R"({"product": "exactly", "accumulator": "fp32", "fused": {"terms": 2,
                  "align_bits": 1}})",
               {"product", "exactly"});
}

}  // namespace
}  // namespace lbasim::num

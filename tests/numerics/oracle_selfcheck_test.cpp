// The MPFR oracle checked against the hardware's own IEEE conversions, so that an oracle bug
// cannot hide behind agreement with the golden model.
#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <random>

#include "mpfr_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::hex;

// Doubles near and beyond float range, with ties, sticky bits and subnormals.
std::vector<double> float_probe_values() {
  std::mt19937_64 rng(3);
  std::vector<double> v;
  const Format f32 = testing::fp32();
  for (int i = 0; i < 100000; ++i) v.push_back(testing::random_value(rng, f32));
  for (double x : testing::edge_values(f32)) v.push_back(x);
  return v;
}

TEST(OracleSelfCheck, Fp32MatchesFloatConversion) {
  int wrong = 0;
  for (double x : float_probe_values()) {
    const volatile double vx = x;
    const double want = static_cast<float>(vx);
    const double got = oracle::quantize(x, testing::fp32()).value;
    if (!oracle::same_bits(got, want) && ++wrong < 8) {
      ADD_FAILURE() << hex(x) << ": float " << hex(want) << " oracle " << hex(got);
    }
  }
  EXPECT_EQ(wrong, 0);
}

// Round-toward-zero float conversion: IEEE overflows to +-max, as the contract's rtz + inf.
TEST(OracleSelfCheck, Fp32RtzMatchesFloatConversionTowardZero) {
  Format f = testing::fp32();
  f.rounding = Rounding::rtz;
  const std::vector<double> values = float_probe_values();
  std::vector<double> native(values.size());
  const int old = std::fegetround();
  ASSERT_EQ(std::fesetround(FE_TOWARDZERO), 0);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const volatile double vx = values[i];
    const volatile float r = static_cast<float>(vx);
    native[i] = r;
  }
  std::fesetround(old);
  int wrong = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double got = oracle::quantize(values[i], f).value;
    if (!oracle::same_bits(got, native[i]) && ++wrong < 8) {
      ADD_FAILURE() << hex(values[i]) << ": float rtz " << hex(native[i]) << " oracle " << hex(got);
    }
  }
  EXPECT_EQ(wrong, 0);
}

TEST(OracleSelfCheck, Fp16MatchesFloat16Conversion) {
  std::mt19937_64 rng(5);
  const Format f16 = testing::fp16();
  std::vector<double> values = testing::edge_values(f16);
  for (int i = 0; i < 100000; ++i) values.push_back(testing::random_value(rng, f16));
  int wrong = 0;
  for (double x : values) {
    const volatile double vx = x;
    const double want = static_cast<double>(static_cast<_Float16>(vx));
    const double got = oracle::quantize(x, f16).value;
    if (!oracle::same_bits(got, want) && ++wrong < 8) {
      ADD_FAILURE() << hex(x) << ": _Float16 " << hex(want) << " oracle " << hex(got);
    }
  }
  EXPECT_EQ(wrong, 0);
}

// Rounding a double into the double format changes nothing.
TEST(OracleSelfCheck, DoubleFormatIsIdentity) {
  const Format f = testing::make_format(52, 11, 1023, Underflow::subnormal, Overflow::inf,
                                        Rounding::rne, Specials::ieee);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 20000; ++i) {
    const double x = std::bit_cast<double>(rng());
    if (!std::isfinite(x)) continue;
    const oracle::Result r = oracle::quantize(x, f);
    ASSERT_TRUE(oracle::same_bits(r.value, x)) << hex(x);
    ASSERT_EQ(r.events, 0) << hex(x);
  }
}

// Hand-derived values for the policies the hardware types do not have.
TEST(OracleSelfCheck, HandDerived) {
  const Format acc =
      testing::make_format(7, 4, 10, Underflow::flush, Overflow::saturate, Rounding::rtz);
  EXPECT_EQ(oracle::max_value(acc), 63.75);
  EXPECT_EQ(oracle::max_value(testing::fp8_e4m3()), 448.0);
  EXPECT_EQ(oracle::max_value(testing::fp16()), 65504.0);
  EXPECT_EQ(oracle::max_value(testing::fp8_e5m2()), 57344.0);
  EXPECT_EQ(oracle::quantize(100.0, acc).value, 63.75);
  EXPECT_EQ(oracle::quantize(100.0, acc).events, oracle::kOverflowBit);
  EXPECT_EQ(oracle::quantize(0x1.ffp-10, acc).events, oracle::kUnderflowBit);
  EXPECT_EQ(oracle::quantize(0x1p-9, acc).value, 0x1p-9);
  EXPECT_EQ(oracle::quantize(1.0 + 0x1.8p-7, acc).value, 1.0 + 0x1p-7);
  EXPECT_EQ(oracle::quantize(1.0 + 0x1.8p-7, acc).events, oracle::kInexactBit);
  // E4M3: 464 is a tie between 448 (mantissa 110, even) and 480: rounds to 448, no overflow.
  EXPECT_EQ(oracle::quantize(464.0, testing::fp8_e4m3()).value, 448.0);
  EXPECT_EQ(oracle::quantize(464.0, testing::fp8_e4m3()).events, oracle::kInexactBit);
  EXPECT_EQ(oracle::quantize(470.0, testing::fp8_e4m3()).value, 448.0);
  EXPECT_EQ(oracle::quantize(470.0, testing::fp8_e4m3()).events,
            oracle::kInexactBit | oracle::kOverflowBit);
  // fp16: 65520 is the tie between max and 2^16 (mantissa all ones is odd): overflow to inf.
  EXPECT_EQ(oracle::quantize(65520.0, testing::fp16()).value, HUGE_VAL);
  // Subnormal rne: half the min subnormal ties to 0 (underflow), just above rounds up.
  EXPECT_EQ(oracle::quantize(0x1p-25, testing::fp16()).value, 0.0);
  EXPECT_EQ(oracle::quantize(0x1p-25, testing::fp16()).events, oracle::kUnderflowBit);
  EXPECT_EQ(oracle::quantize(0x1.8p-25, testing::fp16()).value, 0x1p-24);
  EXPECT_EQ(oracle::quantize(0x1.8p-24, testing::fp16()).value, 0x1p-23);
  // Sum of -0 and -0 is -0; of x and -x is +0.
  EXPECT_TRUE(std::signbit(oracle::add(-0.0, -0.0, acc).value));
  EXPECT_FALSE(std::signbit(oracle::add(-1.0, 1.0, acc).value));
  // Swamping: 1 + 2^-9 truncates back to 1 in M7.
  EXPECT_EQ(oracle::add(1.0, 0x1p-9, acc).events, oracle::kSwampedBit | oracle::kInexactBit);
}

}  // namespace
}  // namespace lbasim::num

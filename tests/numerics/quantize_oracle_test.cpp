// Golden quantize() against the MPFR oracle: random and edge values over many formats.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "lbasim/base/error.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/quantize.h"
#include "mpfr_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::hex;
using testing::NamedFormat;

constexpr int kRandomPerFormat = 100000;
constexpr int kMaxReported = 8;

// Counts disagreements between the golden quantize and the oracle, reporting the first few.
class Checker {
 public:
  explicit Checker(const Format& f) : f_(f) {}
  ~Checker() { EXPECT_EQ(mismatches_, 0) << "of " << checked_ << " values"; }

  void check(double x) {
    ++checked_;
    const oracle::Result want = oracle::quantize(x, f_);
    if (f_.overflow == Overflow::none && std::isinf(want.value)) {
      // The golden model bounds `none` by the double range and refuses such a result with an
      // InputError.
      try {
        quantize(x, f_);
        report(x, want, "no error for a result outside double");
      } catch (const InputError& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("range of double"));
      }
      return;
    }
    Quantized got{};
    try {
      got = quantize(x, f_);
    } catch (const std::exception& e) {
      report(x, want, std::string("threw: ") + e.what());
      return;
    }
    if (!oracle::same_bits(got.value, want.value) || got.events != want.events) {
      report(x, want, hex(got.value) + " events " + std::to_string(got.events));
    }
  }

 private:
  void report(double x, const oracle::Result& want, const std::string& got) {
    if (++mismatches_ <= kMaxReported) {
      ADD_FAILURE() << f_.to_string() << " x=" << hex(x) << " expected " << hex(want.value)
                    << " events " << int(want.events) << ", got " << got;
    }
  }

  Format f_;
  int mismatches_ = 0;
  int checked_ = 0;
};

class QuantizeOracle : public ::testing::TestWithParam<NamedFormat> {};

TEST_P(QuantizeOracle, FormatIsValid) { EXPECT_NO_THROW(validate(GetParam().format)); }

TEST_P(QuantizeOracle, RandomValues) {
  const Format& f = GetParam().format;
  std::mt19937_64 rng(std::hash<std::string>{}(GetParam().name));
  Checker c(f);
  for (int i = 0; i < kRandomPerFormat; ++i) c.check(testing::random_value(rng, f));
}

TEST_P(QuantizeOracle, EdgeValues) {
  const Format& f = GetParam().format;
  Checker c(f);
  for (double x : testing::edge_values(f)) c.check(x);
}

// Random doubles over the whole double range, outside any format's neighbourhood.
TEST_P(QuantizeOracle, WholeDoubleRange) {
  const Format& f = GetParam().format;
  std::mt19937_64 rng(7);
  Checker c(f);
  for (int i = 0; i < 20000; ++i) {
    const double x = std::bit_cast<double>(rng());
    if (std::isfinite(x)) c.check(x);
  }
}

TEST_P(QuantizeOracle, IsMemberAgreesWithOracle) {
  const Format& f = GetParam().format;
  std::mt19937_64 rng(11);
  int wrong = 0;
  for (int i = 0; i < 20000; ++i) {
    const double x = testing::random_value(rng, f);
    const oracle::Result q = oracle::quantize(x, f);
    // The rounded value itself is a member whenever it is finite and has no events.
    for (double v : {x, q.value}) {
      if (!std::isfinite(v)) continue;
      const oracle::Result r = oracle::quantize(v, f);
      const bool member = r.events == 0 && oracle::same_bits(r.value, v);
      if (is_member(v, f) != member && ++wrong <= kMaxReported) {
        ADD_FAILURE() << f.to_string() << " is_member(" << hex(v) << ") expected " << member;
      }
    }
  }
  EXPECT_EQ(wrong, 0);
}

std::string format_name(const ::testing::TestParamInfo<NamedFormat>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Formats, QuantizeOracle, ::testing::ValuesIn(testing::oracle_formats()),
                         format_name);

// Non-finite inputs (docs/numerics.md): inf is an overflow, kept under overflow=inf, else +-max;
// NaN stays NaN where the format has NaN and is an InputError for specials=none.
TEST(QuantizeSpecials, NonFiniteInputs) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(std::isnan(quantize(nan, testing::fp16()).value));
  EXPECT_EQ(quantize(inf, testing::fp16()).value, inf);
  EXPECT_EQ(quantize(inf, testing::fp16()).events, 0);  // kept exactly, as in IEEE
  EXPECT_EQ(quantize(-inf, testing::bf16()).value, -inf);
  EXPECT_EQ(quantize(-inf, testing::fp32()).value, -inf);
  EXPECT_TRUE(std::isnan(quantize(nan, testing::fp8_e4m3()).value));
  // E4M3 has no infinity and saturates: inf becomes +-max = 448.
  EXPECT_EQ(quantize(inf, testing::fp8_e4m3()).value, 448.0);
  EXPECT_EQ(quantize(-inf, testing::fp8_e4m3()).value, -448.0);
  EXPECT_EQ(quantize(inf, testing::fp8_e4m3()).events, kOverflow);
  const Format paper =
      testing::make_format(7, 4, 10, Underflow::flush, Overflow::saturate, Rounding::rtz);
  EXPECT_EQ(quantize(inf, paper).value, 63.75);
  EXPECT_EQ(quantize(-inf, paper).value, -63.75);
  EXPECT_EQ(quantize(-inf, paper).events, kOverflow);
  EXPECT_THROW(quantize(nan, paper), InputError);
  // ieee specials with saturate: inf saturates too.
  Format sat16 = testing::fp16();
  sat16.overflow = Overflow::saturate;
  EXPECT_EQ(quantize(-inf, sat16).value, -65504.0);
}

// A few hand-derived results of the paper's formats, independent of the oracle.
TEST(QuantizeByHand, PaperFormats) {
  const Format acc =
      testing::make_format(7, 4, 10, Underflow::flush, Overflow::saturate, Rounding::rtz);
  // Max of M7E4b10: 2^(15-10) * (2 - 2^-7) = 63.75; min normal 2^-9.
  EXPECT_EQ(quantize(1001.0, acc).value, 63.75);
  EXPECT_EQ(quantize(1001.0, acc).events, kOverflow | kInexact);
  EXPECT_EQ(quantize(-1000.0, acc).value, -63.75);  // 1000 = 0b1111101000 fits 8 bits: exact
  EXPECT_EQ(quantize(-1000.0, acc).events, kOverflow);
  EXPECT_EQ(quantize(64.0, acc).events, kOverflow);
  EXPECT_EQ(quantize(0x1p-9, acc).value, 0x1p-9);
  EXPECT_EQ(quantize(0x1.fffp-10, acc).value, 0.0);
  EXPECT_EQ(quantize(0x1.fffp-10, acc).events, kUnderflow);
  EXPECT_TRUE(std::signbit(quantize(-0x1p-10, acc).value));
  // rtz: 1 + 2^-7 - 2^-20 truncates to 1, and negative values truncate toward zero.
  EXPECT_EQ(quantize(1 + 0x1p-7 - 0x1p-20, acc).value, 1.0);
  EXPECT_EQ(quantize(-(1 + 0x1p-7 - 0x1p-20), acc).value, -1.0);
  EXPECT_EQ(quantize(-0.0, acc).events, 0);
  EXPECT_TRUE(std::signbit(quantize(-0.0, acc).value));
}

}  // namespace
}  // namespace lbasim::num

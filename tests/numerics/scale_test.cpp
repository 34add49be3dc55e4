// Per-tensor power-of-two scales (contract section 5) against the oracle: s is the smallest
// integer with max|x| / 2^s <= max, and every element becomes 2^s * Q_f(x / 2^s) of the exact
// scaled value.
#include "lbasim/numerics/scale.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "mpfr_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::hex;
using testing::make_format;
using U = Underflow;
using O = Overflow;
using R = Rounding;

// The defining inequality, checked exactly: |x| <= max * 2^s (both sides exact in MPFR).
bool fits(double maxabs, int s, const Format& f) {
  oracle::Real lhs(64), rhs(64);
  mpfr_set_d(lhs.get(), maxabs, MPFR_RNDN);
  mpfr_set_d(rhs.get(), oracle::max_value(f), MPFR_RNDN);
  mpfr_mul_2si(rhs.get(), rhs.get(), s, MPFR_RNDN);
  return mpfr_cmp(lhs.get(), rhs.get()) <= 0;
}

// Expected element: 2^s * Q_f(x * 2^-s), computed on exact values.
oracle::Result scaled(double x, int s, const Format& f) {
  oracle::Real v(64);
  mpfr_set_d(v.get(), x, MPFR_RNDN);
  mpfr_mul_2si(v.get(), v.get(), -s, MPFR_RNDN);
  oracle::Result r = oracle::quantize(v.get(), f);
  oracle::Real back(64);
  mpfr_set_d(back.get(), r.value, MPFR_RNDN);
  mpfr_mul_2si(back.get(), back.get(), s, MPFR_RNDN);
  const double d = mpfr_get_d(back.get(), MPFR_RNDN);
  EXPECT_EQ(mpfr_cmp_d(back.get(), d), 0) << "scaled value not a double: " << hex(x) << " s=" << s;
  r.value = std::signbit(r.value) ? -std::abs(d) : std::abs(d);
  return r;
}

void check_tensor(const std::vector<double>& x, const Format& f) {
  double maxabs = 0;
  for (double v : x) maxabs = std::max(maxabs, std::abs(v));
  const int s = choose_pow2_scale(x, f);
  if (maxabs == 0) {
    EXPECT_EQ(s, 0);
  } else {
    EXPECT_TRUE(fits(maxabs, s, f)) << "max " << hex(maxabs) << " s=" << s;
    EXPECT_FALSE(fits(maxabs, s - 1, f)) << "max " << hex(maxabs) << " s=" << s << " not smallest";
  }
  std::vector<double> got = x;
  const EventCounts counts = quantize_scaled(got, s, f);
  oracle::Counts want_counts;
  int wrong = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const oracle::Result want = scaled(x[i], s, f);
    want_counts.add(want.events);
    if (!oracle::same_bits(got[i], want.value) && ++wrong <= 4) {
      ADD_FAILURE() << f.to_string() << " s=" << s << " x=" << hex(x[i]) << " expected "
                    << hex(want.value) << " got " << hex(got[i]);
    }
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(counts.ops, want_counts.ops);
  EXPECT_EQ(counts.overflow, want_counts.overflow);
  EXPECT_EQ(counts.underflow, want_counts.underflow);
  EXPECT_EQ(counts.inexact, want_counts.inexact);
}

TEST(Pow2Scale, RandomTensors) {
  const Format wa = make_format(4, 3, 3, U::flush, O::saturate, R::rtz);
  const Format e4m3 = testing::fp8_e4m3();
  std::mt19937_64 rng(211);
  std::normal_distribution<double> normal;
  for (const Format& f : {wa, e4m3}) {
    for (int t = 0; t < 300; ++t) {
      const int mag = static_cast<int>(rng() % 80) - 40;
      std::vector<double> x(1 + rng() % 200);
      for (double& v : x) v = std::ldexp(normal(rng), mag);
      check_tensor(x, f);
    }
  }
}

TEST(Pow2Scale, EdgeTensors) {
  const Format wa = make_format(4, 3, 3, U::flush, O::saturate, R::rtz);
  const double max = oracle::max_value(wa);  // 15.5
  check_tensor({0.0, -0.0}, wa);
  check_tensor({max}, wa);                              // s = 0 exactly
  check_tensor({-max * 8, 1.0}, wa);                    // s = 3 exactly
  check_tensor({std::nextafter(max, 100.0), 0.1}, wa);  // just above: s = 1
  check_tensor({std::nextafter(max, 0.0) / 1024}, wa);
  check_tensor({0x1p-1074, 0x1.8p-1073, 0x1p-1060}, wa);  // double subnormals only
  check_tensor({1.0, 0x1p-1074, -0x1p-1070}, wa);
  check_tensor({0x1p-1074}, wa);  // max / 15.5 underflows in double: s from the binades
  check_tensor({-0x1.8p-1073, 0x1p-1074}, wa);
  check_tensor({0x1.fffffffffffffp+1023}, wa);
}

// Elements whose scaled value x * 2^-s falls below the double range must still underflow (the
// exact value is non-zero): quantize_scaled shifts the exact exponent instead of dividing in
// double, where x / 2^s would be 0 (M4E3, {0x1p+1000, 0x1p-100}: s = 996, one underflow).
TEST(Pow2Scale, ScaledBelowDoubleRangeStillUnderflows) {
  const Format wa = make_format(4, 3, 3, U::flush, O::saturate, R::rtz);
  check_tensor({0x1p+1000, 0x1p-100}, wa);
  check_tensor({1e300, 1e-300, -3.0}, wa);
  check_tensor({1e300, 1e-300, -3.0}, make_format(4, 3, 3, U::subnormal, O::saturate, R::rne));
}

}  // namespace
}  // namespace lbasim::num

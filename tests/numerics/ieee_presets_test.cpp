// IEEE presets against the machine's own arithmetic: fp32 FMAq is float multiply then add,
// fp16 is GCC's _Float16 conversion, bf16 is the published float->bf16 bit rounding.
// Compiled with -ffp-contract=off so that p = a*w; p + acc are two roundings.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "lbasim/numerics/fmaq.h"
#include "lbasim/numerics/quantize.h"
#include "mpfr_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::hex;
constexpr int kMaxReported = 8;

// Random floats: half from raw bit patterns (any exponent, subnormals included), half with
// exponents near each other so that sums round, cancel and tie.
float random_float(std::mt19937_64& rng, int near_exp) {
  const std::uint32_t bits = static_cast<std::uint32_t>(rng());
  if (rng() & 1) return std::bit_cast<float>(bits);
  const int e = near_exp + static_cast<int>(rng() % 61) - 30;
  const float sig = 1.0f + std::ldexp(static_cast<float>(bits & 0x7FFFFF), -23);
  const float v = std::ldexp((rng() % 4 == 0) ? std::round(sig * 8) / 8 : sig, e);
  return (bits >> 31) ? -v : v;
}

TEST(Fp32Preset, FmaqEqualsFloatMultiplyThenAdd) {
  const Format f = testing::fp32();
  std::mt19937_64 rng(101);
  int wrong = 0;
  for (int i = 0; i < 300000; ++i) {
    const float a = random_float(rng, static_cast<int>(rng() % 280) - 150);
    const float w = random_float(rng, static_cast<int>(rng() % 60) - 30);
    const float near = a * w + 0x1p-149f;  // ilogb(0) would be INT_MIN
    const float acc = random_float(rng, std::isfinite(near) && near != 0 ? std::ilogb(near) : 0);
    if (std::isnan(a) || std::isnan(w) || std::isnan(acc)) continue;
    const float p = a * w;
    const float want = p + acc;
    const FmaqResult got = fmaq(acc, a, w, f, f);
    if ((!oracle::same_bits(got.product, p) || !oracle::same_bits(got.acc, want)) &&
        ++wrong <= kMaxReported) {
      ADD_FAILURE() << "acc=" << hex(acc) << " a=" << hex(a) << " w=" << hex(w) << " float "
                    << hex(p) << "/" << hex(want) << " fmaq " << hex(got.product) << "/"
                    << hex(got.acc);
    }
  }
  EXPECT_EQ(wrong, 0);
}

// Infinities and NaN propagate as in float arithmetic.
TEST(Fp32Preset, FmaqPropagatesSpecials) {
  const Format f = testing::fp32();
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float values[] = {inf, -inf, nan, 0.0f, -0.0f, 1.0f, -3.5f, 0x1p-149f, 0x1.fffffep127f};
  for (float acc : values) {
    for (float a : values) {
      for (float w : values) {
        const float p = a * w;
        const float want = p + acc;
        const FmaqResult got = fmaq(acc, a, w, f, f);
        EXPECT_TRUE(oracle::same_bits(got.acc, want)) << "acc=" << acc << " a=" << a << " w=" << w
                                                      << " float " << want << " fmaq " << got.acc;
      }
    }
  }
}

TEST(Fp32Preset, QuantizeEqualsFloatConversion) {
  std::mt19937_64 rng(103);
  int wrong = 0;
  for (int i = 0; i < 200000; ++i) {
    double x = testing::random_value(rng, testing::fp32());
    if (i % 4 == 0) x = std::bit_cast<double>(rng());
    if (std::isnan(x)) continue;
    const double want = static_cast<float>(x);
    const double got = quantize(x, testing::fp32()).value;
    if (!oracle::same_bits(got, want) && ++wrong <= kMaxReported) {
      ADD_FAILURE() << hex(x) << ": float " << hex(want) << " quantize " << hex(got);
    }
  }
  EXPECT_EQ(wrong, 0);
}

double fp16_to_double(std::uint16_t bits) {
  return static_cast<double>(std::bit_cast<_Float16>(bits));
}

void expect_fp16_like_gcc(double x, int& wrong) {
  const volatile double vx = x;
  const double want = static_cast<double>(static_cast<_Float16>(vx));
  const double got = quantize(x, testing::fp16()).value;
  if (!oracle::same_bits(got, want) && ++wrong <= kMaxReported) {
    ADD_FAILURE() << hex(x) << ": _Float16 " << hex(want) << " quantize " << hex(got);
  }
}

// Every fp16 value, its double neighbours, and the midpoints to the next value and around them.
TEST(Fp16Preset, AllCodesNeighboursAndMidpoints) {
  int wrong = 0;
  for (std::uint32_t code = 0; code < 0x10000; ++code) {
    const double v = fp16_to_double(static_cast<std::uint16_t>(code));
    if (std::isnan(v)) continue;
    expect_fp16_like_gcc(v, wrong);
    if (std::isinf(v)) continue;
    expect_fp16_like_gcc(std::nextafter(v, HUGE_VAL), wrong);
    expect_fp16_like_gcc(std::nextafter(v, -HUGE_VAL), wrong);
    const double next = fp16_to_double(static_cast<std::uint16_t>(code + 1));
    if ((code & 0x7FFF) == 0x7BFF) {
      // Past max: the next "value" is 2^16 in magnitude, its midpoint 65520 overflows to inf.
      const double mid = std::copysign(65520.0, v);
      for (double x : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, 2 * mid)}) {
        expect_fp16_like_gcc(x, wrong);
      }
    } else if (std::isfinite(next) && (code & 0x7FFF) != 0x7FFF) {
      const double mid = (v + next) / 2;  // exact in double
      for (double x : {mid, std::nextafter(mid, v), std::nextafter(mid, next)}) {
        expect_fp16_like_gcc(x, wrong);
      }
    }
  }
  EXPECT_EQ(wrong, 0);
}

TEST(Fp16Preset, RandomDoubles) {
  std::mt19937_64 rng(107);
  int wrong = 0;
  for (int i = 0; i < 200000; ++i) {
    double x = testing::random_value(rng, testing::fp16());
    if (i % 8 == 0) x = std::bit_cast<double>(rng());
    if (!std::isnan(x)) expect_fp16_like_gcc(x, wrong);
  }
  EXPECT_EQ(wrong, 0);
}

// The widely published float -> bfloat16 round-to-nearest-even: add 0x7FFF plus the lowest kept
// bit, then truncate (valid for every finite float; bf16 has float's exponent range).
double float_to_bf16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t r = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000u;
  return std::bit_cast<float>(r);
}

TEST(Bf16Preset, QuantizeOfFloatsEqualsBitRounding) {
  std::mt19937_64 rng(109);
  int wrong = 0;
  for (int i = 0; i < 300000; ++i) {
    const float x = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
    if (!std::isfinite(x)) continue;
    const double want = float_to_bf16(x);
    const double got = quantize(x, testing::bf16()).value;
    if (!oracle::same_bits(got, want) && ++wrong <= kMaxReported) {
      ADD_FAILURE() << hex(x) << ": bf16 " << hex(want) << " quantize " << hex(got);
    }
  }
  // Every tie pattern of the low 16 bits around a few binades, including float subnormals.
  for (std::uint32_t hi : {0x3F80u, 0x0000u, 0x0080u, 0x7F7Fu, 0xBF80u, 0x8001u}) {
    for (std::uint32_t lo = 0; lo < 0x10000; lo += 0x101) {
      const float x = std::bit_cast<float>(hi << 16 | lo);
      if (!std::isfinite(x)) continue;
      const double want = float_to_bf16(x);
      const double got = quantize(x, testing::bf16()).value;
      if (!oracle::same_bits(got, want) && ++wrong <= kMaxReported) {
        ADD_FAILURE() << hex(x) << ": bf16 " << hex(want) << " quantize " << hex(got);
      }
    }
  }
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace lbasim::num

// encode/decode: published codes, a decode written from the layout definition, round trips.
#include "lbasim/numerics/encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "lbasim/base/error.h"
#include "mpfr_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::hex;
using testing::make_format;
using U = Underflow;
using O = Overflow;
using R = Rounding;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Values of codes published for the IEEE and OCP formats.
TEST(Decode, PublishedCodes) {
  const Format f16 = testing::fp16();
  EXPECT_EQ(decode(0x3C00, f16), 1.0);
  EXPECT_EQ(decode(0x7BFF, f16), 65504.0);
  EXPECT_EQ(decode(0x0001, f16), 0x1p-24);
  EXPECT_EQ(decode(0x03FF, f16), 0x1.ff8p-15);
  EXPECT_EQ(decode(0x0400, f16), 0x1p-14);
  EXPECT_EQ(decode(0xC000, f16), -2.0);
  EXPECT_EQ(decode(0x3555, f16), 0x1.554p-2);
  EXPECT_EQ(decode(0x7C00, f16), kInf);
  EXPECT_EQ(decode(0xFC00, f16), -kInf);
  EXPECT_TRUE(std::isnan(decode(0x7E00, f16)));
  EXPECT_TRUE(std::isnan(decode(0x7C01, f16)));
  EXPECT_TRUE(std::signbit(decode(0x8000, f16)));
  EXPECT_EQ(decode(0x8000, f16), 0.0);

  const Format e4m3 = testing::fp8_e4m3();
  EXPECT_EQ(decode(0x7E, e4m3), 448.0);
  EXPECT_EQ(decode(0xFE, e4m3), -448.0);
  EXPECT_TRUE(std::isnan(decode(0x7F, e4m3)));
  EXPECT_TRUE(std::isnan(decode(0xFF, e4m3)));
  EXPECT_EQ(decode(0x78, e4m3), 256.0);  // exponent 1111 is finite except for mantissa 111
  EXPECT_EQ(decode(0x08, e4m3), 0x1p-6);
  EXPECT_EQ(decode(0x01, e4m3), 0x1p-9);
  EXPECT_EQ(decode(0x38, e4m3), 1.0);

  const Format e5m2 = testing::fp8_e5m2();
  EXPECT_EQ(decode(0x7B, e5m2), 57344.0);
  EXPECT_EQ(decode(0x7C, e5m2), kInf);
  EXPECT_TRUE(std::isnan(decode(0x7D, e5m2)));
  EXPECT_EQ(decode(0x01, e5m2), 0x1p-16);
  EXPECT_EQ(decode(0x3C, e5m2), 1.0);

  const Format b16 = testing::bf16();
  EXPECT_EQ(decode(0x3F80, b16), 1.0);
  EXPECT_EQ(decode(0x7F7F, b16), 0x1.fep127);
  EXPECT_EQ(decode(0x0001, b16), 0x1p-133);
  EXPECT_EQ(decode(0x7F80, b16), kInf);

  const Format f32 = testing::fp32();
  EXPECT_EQ(decode(0x3F800000, f32), 1.0);
  EXPECT_EQ(decode(0x00000001, f32), 0x1p-149);
  EXPECT_EQ(decode(0x7F7FFFFF, f32), 0x1.fffffep127);
  EXPECT_EQ(decode(0xC0490FDB, f32), -0x1.921fb6p1);  // -pi in float
}

TEST(Encode, PublishedCodes) {
  EXPECT_EQ(encode(1.0, testing::fp16()), 0x3C00u);
  EXPECT_EQ(encode(-65504.0, testing::fp16()), 0xFBFFu);
  EXPECT_EQ(encode(0x1p-24, testing::fp16()), 0x0001u);
  EXPECT_EQ(encode(-0.0, testing::fp16()), 0x8000u);
  EXPECT_EQ(encode(kInf, testing::fp16()), 0x7C00u);
  EXPECT_EQ(encode(-kInf, testing::bf16()), 0xFF80u);
  EXPECT_EQ(encode(448.0, testing::fp8_e4m3()), 0x7Eu);
  EXPECT_EQ(encode(0x1p-9, testing::fp8_e4m3()), 0x01u);
  // Canonical NaN: exponent all ones, mantissa MSB set, sign 0; E4M3's only NaN is all ones.
  EXPECT_EQ(encode(kNaN, testing::fp16()), 0x7E00u);
  EXPECT_EQ(encode(-kNaN, testing::fp16()), 0x7E00u);
  EXPECT_EQ(encode(kNaN, testing::fp32()), 0x7FC00000u);
  EXPECT_EQ(encode(kNaN, testing::bf16()), 0x7FC0u);
  EXPECT_EQ(encode(kNaN, testing::fp8_e5m2()), 0x7Eu);
  EXPECT_EQ(encode(kNaN, testing::fp8_e4m3()) & 0x7F, 0x7Fu);
  // The paper's accumulator M7E4b10: 1.0 = exponent 10, mantissa 0; max 63.75 = all ones.
  const Format acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  EXPECT_EQ(encode(1.0, acc), 10u << 7);
  EXPECT_EQ(encode(63.75, acc), 0x7FFu);
  EXPECT_EQ(encode(-0x1p-9, acc), 0x880u);
}

TEST(Encode, RejectsWhatTheFormatCannotHold) {
  const Format acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  EXPECT_THROW(encode(1.0 + 0x1p-8, acc), InputError);  // not a member
  EXPECT_THROW(encode(64.0, acc), InputError);          // above max
  EXPECT_THROW(encode(0x1p-10, acc), InputError);       // below min normal under flush
  EXPECT_THROW(encode(kInf, acc), InputError);
  EXPECT_THROW(encode(kNaN, acc), InputError);
  EXPECT_THROW(encode(480.0, testing::fp8_e4m3()), InputError);
  EXPECT_THROW(encode(kInf, testing::fp8_e4m3()), InputError);
  Format none = acc;
  none.underflow = U::none;
  EXPECT_THROW(encode(1.0, none), InputError);
  none = acc;
  none.overflow = O::none;
  EXPECT_THROW(encode(1.0, none), InputError);
}

// decode written from the layout definition (sign|exponent|mantissa), independently.
double reference_decode(std::uint64_t code, const Format& f) {
  const std::uint64_t mant = code & ((1ULL << f.man) - 1);
  const std::uint64_t expc = (code >> f.man) & ((1ULL << f.exp) - 1);
  const bool neg = (code >> (f.man + f.exp)) & 1;
  const std::uint64_t top = (1ULL << f.exp) - 1;
  double mag;
  if (f.specials == Specials::ieee && expc == top) {
    mag = mant == 0 ? kInf : kNaN;
  } else if (f.specials == Specials::nan && expc == top && mant == (1ULL << f.man) - 1) {
    mag = kNaN;
  } else if (expc == 0) {
    mag = f.underflow == U::flush ? 0.0 : std::ldexp(static_cast<double>(mant), 1 - f.bias - f.man);
  } else {
    mag = std::ldexp(static_cast<double>((1ULL << f.man) | mant),
                     static_cast<int>(expc) - f.bias - f.man);
  }
  return neg ? -mag : mag;
}

class EncodingAllCodes : public ::testing::TestWithParam<testing::NamedFormat> {};

TEST_P(EncodingAllCodes, DecodeAndRoundTrip) {
  const Format& f = GetParam().format;
  // All codes of narrow formats, 2^17 random codes of wide ones (width may be 64).
  const std::uint64_t mask = f.width() >= 64 ? ~0ULL : (1ULL << f.width()) - 1;
  const bool all = mask < (1ULL << 17);
  std::mt19937_64 rng(113);
  int wrong = 0;
  for (std::uint64_t i = 0; i <= (all ? mask : (1ULL << 17)); ++i) {
    const std::uint64_t code = all ? i : rng() & mask;
    const double want = reference_decode(code, f);
    const double got = decode(code, f);
    if (!oracle::same_bits(got, want) && ++wrong <= 8) {
      ADD_FAILURE() << f.to_string() << " decode(" << std::hex << code << ") = " << hex(got)
                    << ", expected " << hex(want);
    }
    if (std::isnan(got)) continue;
    // ieee specials with saturate: inf has a code (decode gives it, encode takes it back) though
    // quantize never produces it; round-tripped below like every other code.
    // Every code is a member of its format (flushed subnormal codes decode to zero).
    if (std::isfinite(got)) {
      const oracle::Result q = oracle::quantize(got, f);
      EXPECT_TRUE(q.events == 0 && oracle::same_bits(q.value, got)) << hex(got);
    }
    const std::uint64_t flushed_sub =
        (code >> f.man) % (1ULL << f.exp) == 0 && f.underflow == U::flush;
    const std::uint64_t want_code = flushed_sub ? code & ~((1ULL << f.man) - 1) : code;
    std::uint64_t back = 0;
    try {
      back = encode(got, f);
    } catch (const std::exception& e) {
      if (++wrong <= 8)
        ADD_FAILURE() << f.to_string() << " encode(" << hex(got) << "): " << e.what();
      continue;
    }
    if (back != want_code && ++wrong <= 8) {
      ADD_FAILURE() << f.to_string() << " encode(decode(" << std::hex << code << ")) = " << back;
    }
  }
  EXPECT_EQ(wrong, 0);
}

std::vector<testing::NamedFormat> encodable_formats() {
  std::vector<testing::NamedFormat> out;
  for (const auto& nf : testing::oracle_formats()) {
    if (nf.format.encodable()) out.push_back(nf);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Formats, EncodingAllCodes, ::testing::ValuesIn(encodable_formats()),
                         [](const auto& info) { return info.param.name; });

// Under flush, exponent code 0 is zero whatever the mantissa (the hardware treats it so).
TEST(Decode, FlushTreatsSubnormalCodesAsZero) {
  const Format acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  EXPECT_EQ(decode(0x001, acc), 0.0);
  EXPECT_EQ(decode(0x07F, acc), 0.0);
  EXPECT_TRUE(std::signbit(decode(0x87F, acc)));
}

}  // namespace
}  // namespace lbasim::num

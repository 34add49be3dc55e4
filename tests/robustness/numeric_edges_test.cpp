// Numeric edge cases through the library: specials, zeros, K = 1, K = 2^20, formats at their
// limits. Expected values come from native IEEE arithmetic (float, _Float16, double, each
// operation rounded on its own) or are derived by hand in the comments, never from lbasim.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "lbasim/base/error.h"
#include "lbasim/numerics/accumulate.h"
#include "lbasim/numerics/engine.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::num {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Same value and sign (+0 and -0 differ); any NaN equals any NaN.
bool same(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}

MATCHER_P(Same, want, "") {
  *result_listener << "(" << arg << " vs " << want << ")";
  return same(arg, want);
}

AccumConfig uniform(const char* fmt, std::int64_t chunk) {
  const Format f = parse_format(fmt);
  return {f, f, f, chunk};
}

AccumConfig paper() {
  return {parse_format("M7E4b12"), parse_format("M7E4b10"), parse_format("M7E4b10"), 16};
}

// C = A W with the golden model and with the engine (threads 1 and 3); both must be bit-equal.
std::vector<double> gemm_both(const std::vector<double>& a, const std::vector<double>& w,
                              std::int64_t m, std::int64_t k, std::int64_t n,
                              const AccumConfig& cfg, StageCounts* counts = nullptr) {
  std::vector<double> ref(m * n), fast(m * n), fast3(m * n);
  StageCounts c1, c3, cref;
  gemm_reference(a.data(), w.data(), ref.data(), m, k, n, cfg, &cref);
  if (counts) *counts += cref;
  gemm(a.data(), w.data(), fast.data(), m, k, n, cfg, &c1, {.threads = 1});
  gemm(a.data(), w.data(), fast3.data(), m, k, n, cfg, &c3, {.threads = 3});
  for (std::int64_t i = 0; i < m * n; ++i) {
    EXPECT_THAT(fast[i], Same(ref[i])) << "engine, 1 thread, output " << i;
    EXPECT_THAT(fast3[i], Same(ref[i])) << "engine, 3 threads, output " << i;
  }
  EXPECT_EQ(c1, cref);
  EXPECT_EQ(c3, cref);
  return ref;
}

// Native chunked dot: every product and sum rounded once in T (IEEE, round to nearest).
// Operations run in float and are then converted to T: for T = _Float16 the float product is
// exact and the float sum rounds twice innocuously (24 >= 2*11 + 2 bits).
template <typename T>
double native_dot(const std::vector<double>& a, std::int64_t a_stride, const std::vector<double>& w,
                  std::int64_t w_stride, std::int64_t k, std::int64_t chunk) {
  const std::int64_t len = chunk <= 0 || chunk >= k ? k : chunk;
  T out = 0;
  for (std::int64_t c0 = 0; c0 < k; c0 += len) {
    T s = 0;
    for (std::int64_t i = c0; i < std::min(k, c0 + len); ++i) {
      const T p =
          static_cast<T>(static_cast<float>(a[i * a_stride]) * static_cast<float>(w[i * w_stride]));
      s = static_cast<T>(static_cast<float>(p) + static_cast<float>(s));
    }
    out = static_cast<T>(static_cast<float>(s) + static_cast<float>(out));
  }
  return static_cast<double>(out);
}

// Random values of T, with inf, -inf, NaN, +-0 and huge values sprinkled in.
template <typename T>
std::vector<double> random_with_specials(std::size_t n, std::mt19937_64& rng, double big) {
  std::uniform_int_distribution<int> pick(0, 19);
  std::normal_distribution<double> nd(0, 1);
  std::vector<double> v(n);
  for (double& x : v) {
    switch (pick(rng)) {
      case 0:
        x = kInf;
        break;
      case 1:
        x = -kInf;
        break;
      case 2:
        x = kNaN;
        break;
      case 3:
        x = -0.0;
        break;
      case 4:
        x = big * nd(rng);
        break;
      default:
        x = nd(rng);
    }
    x = static_cast<double>(static_cast<T>(x));
  }
  return v;
}

template <typename T>
void check_specials_propagate(const char* fmt, double big) {
  std::mt19937_64 rng(11);
  const std::int64_t m = 5, k = 23, n = 4;
  for (std::int64_t chunk : {0, 1, 4, 16}) {
    const AccumConfig cfg = uniform(fmt, chunk);
    for (int trial = 0; trial < 20; ++trial) {
      const auto a = random_with_specials<T>(m * k, rng, big);
      const auto w = random_with_specials<T>(k * n, rng, big);
      const auto c = gemm_both(a, w, m, k, n, cfg);
      for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j)
          ASSERT_THAT(c[i * n + j],
                      Same(native_dot<T>(std::vector<double>(a.begin() + i * k, a.end()), 1,
                                         std::vector<double>(w.begin() + j, w.end()), n, k, chunk)))
              << fmt << " chunk " << chunk << " trial " << trial << " C[" << i << "][" << j << "]";
    }
  }
}

TEST(Specials, Fp32PropagatesLikeNativeFloat) { check_specials_propagate<float>("fp32", 1e37); }

TEST(Specials, Fp16PropagatesLikeNativeFloat16) {
#ifdef __FLT16_MAX__  // GCC 12 has _Float16 on x86-64; clang 14 does not
  check_specials_propagate<_Float16>("fp16", 3e4);
#else
  GTEST_SKIP() << "no _Float16 in this compiler";
#endif
}

TEST(Specials, HandPickedIeeeCases) {
  const AccumConfig cfg = uniform("fp16", 0);
  const auto dot = [&](std::vector<double> a, std::vector<double> w) {
    return gemm_both(a, w, 1, static_cast<std::int64_t>(a.size()), 1, cfg)[0];
  };
  EXPECT_THAT(dot({1, kInf}, {1, 2}), Same(kInf));
  EXPECT_THAT(dot({1, kInf}, {1, -2}), Same(-kInf));
  EXPECT_THAT(dot({kInf, 1}, {0, 1}), Same(kNaN));      // inf * 0
  EXPECT_THAT(dot({kInf, kInf}, {1, -1}), Same(kNaN));  // inf + -inf
  EXPECT_THAT(dot({kNaN, 1}, {0, 1}), Same(kNaN));
  EXPECT_THAT(dot({256, 256}, {256, 0}), Same(kInf));    // 65536 > fp16 max 65504: RNE -> inf
  EXPECT_THAT(dot({65504, 15}, {1, 1}), Same(65504.0));  // 65519: below the tie
  EXPECT_THAT(dot({65504, 16}, {1, 1}), Same(kInf));     // 65520: tie, even is 2^16 -> inf
}

TEST(Specials, NanSpecialsSaturateInfAndKeepNan) {
  const Format e4m3 = parse_format("fp8_e4m3");
  EXPECT_THAT(quantize(kInf, e4m3).value, Same(448.0));
  EXPECT_THAT(quantize(-kInf, e4m3).value, Same(-448.0));
  EXPECT_THAT(quantize(kNaN, e4m3).value, Same(kNaN));
  EXPECT_THAT(quantize(464, e4m3).value, Same(448.0));  // tie 448/480: even 448
  EXPECT_THAT(quantize(470, e4m3).value, Same(448.0));  // nearest is 480 > max: saturates
  EXPECT_EQ(quantize(470, e4m3).events & kOverflow, kOverflow);
}

TEST(Specials, NanCannotEnterAFormatWithoutNan) {
  try {
    quantize(kNaN, parse_format("M7E4b10"));
    FAIL() << "NaN accepted by a specials=none format";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("NaN"), HasSubstr("M7E4b10")));
  }
}

TEST(Zeros, AllZeroTensorsGivePlusZeroAndNoEvents) {
  const std::int64_t m = 3, k = 40, n = 2;
  for (double za : {0.0, -0.0}) {
    for (double zw : {0.0, -0.0}) {
      StageCounts counts;
      const auto c = gemm_both(std::vector<double>(m * k, za), std::vector<double>(k * n, zw), m, k,
                               n, paper(), &counts);
      // Products are +-0; the first sum is product + (+0): +0 unless both are -0, i.e. +0.
      for (double x : c) EXPECT_THAT(x, Same(0.0));
      EXPECT_EQ(counts.product.ops, static_cast<std::uint64_t>(m * k * n));
      EXPECT_EQ(counts.product.underflow + counts.product.inexact + counts.product.overflow, 0u);
      EXPECT_EQ(counts.accumulator.swamped + counts.accumulator.inexact, 0u);
      EXPECT_EQ(counts.chunk.ops, static_cast<std::uint64_t>(m * n * 3));  // ceil(40/16) chunks
    }
  }
}

TEST(Zeros, EmptyAndZeroSizedGemms) {
  for (auto [m, k, n] : {std::array<std::int64_t, 3>{0, 5, 3}, {4, 5, 0}, {4, 0, 3}}) {
    std::vector<double> a(m * k, 1.0), w(k * n, 1.0);
    const auto c = gemm_both(a, w, m, k, n, paper());
    ASSERT_EQ(c.size(), static_cast<std::size_t>(m * n));
    for (double x : c) EXPECT_THAT(x, Same(0.0));  // K = 0: the empty sum is +0
  }
}

TEST(SingleProduct, KOneRoundsTheProductOnce) {
  // a = 1.8125 = 1.1101b, w = 1.9375 = 1.1111b (both M4E3 values). a*w = 3.51171875, in binade
  // 2^1 with 7 fraction bits the quantum is 2^-6: 224.75 quanta. rtz: 224 -> 3.5; rne: 225 ->
  // 3.515625. Both are M7E4b10 values, so the accumulator and chunk stages keep them.
  StageCounts counts;
  EXPECT_THAT(gemm_both({1.8125}, {1.9375}, 1, 1, 1, paper(), &counts)[0], Same(3.5));
  EXPECT_EQ(counts.product.inexact, 1u);
  EXPECT_EQ(counts.accumulator.inexact + counts.chunk.inexact, 0u);
  AccumConfig rne = paper();
  rne.product = parse_format("M7E4b12:rne");
  EXPECT_THAT(gemm_both({1.8125}, {1.9375}, 1, 1, 1, rne)[0], Same(3.515625));
  EXPECT_THAT(gemm_both({-1.8125}, {1.9375}, 1, 1, 1, rne)[0], Same(-3.515625));
  // Product max of M7E4b12 is 2^3 * (2 - 2^-7) = 15.9375: 4 * 4.5 = 18 saturates to it, and the
  // accumulator M7E4b10 (max 63.75) keeps it.
  EXPECT_THAT(gemm_both({4}, {4.5}, 1, 1, 1, paper())[0], Same(15.9375));
}

constexpr std::int64_t kHugeK = std::int64_t{1} << 20;

TEST(HugeK, OnesInFp32AreExact) {
  // Every partial sum is an integer <= 2^20 < 2^24: exact in float.
  const std::vector<double> ones(kHugeK, 1.0);
  EXPECT_THAT(gemm_both(ones, ones, 1, kHugeK, 1, uniform("fp32", 0))[0], Same(1048576.0));
}

TEST(HugeK, OnesInFp16StopAt2048) {
  // fp16 has 11 significant bits: 2048 + 1 is a tie between 2048 and 2050, RNE keeps 2048.
  // Steps 2049..2^20 are all swamped.
  const std::vector<double> ones(kHugeK, 1.0);
  StageCounts counts;
  EXPECT_THAT(gemm_both(ones, ones, 1, kHugeK, 1, uniform("fp16", 0), &counts)[0], Same(2048.0));
  EXPECT_EQ(counts.accumulator.swamped, static_cast<std::uint64_t>(kHugeK - 2048));
  EXPECT_EQ(counts.accumulator.ops, static_cast<std::uint64_t>(kHugeK));
  // Chunks of 16 sum to 16 exactly; adding 16 is exact up to 32768, where the spacing is 32
  // and 32768 + 16 is a tie that RNE resolves to 32768.
  EXPECT_THAT(gemm_both(ones, ones, 1, kHugeK, 1, uniform("fp16", 16))[0], Same(32768.0));
}

TEST(HugeK, PaperConfigSaturatesTheChunkAccumulator) {
  // Each chunk of 16 ones sums to 16 exactly. The chunk accumulator M7E4b10 (max
  // 2^5 * (2 - 2^-7) = 63.75) goes 16, 32, 48, then 64 -> 63.75 and stays there: every chunk
  // from the 4th on overflows; none is swamped (overflow is not swamping).
  const std::vector<double> ones(kHugeK, 1.0);
  StageCounts counts;
  EXPECT_THAT(gemm_both(ones, ones, 1, kHugeK, 1, paper(), &counts)[0], Same(63.75));
  EXPECT_EQ(counts.chunk.ops, static_cast<std::uint64_t>(kHugeK / 16));
  EXPECT_EQ(counts.chunk.overflow, static_cast<std::uint64_t>(kHugeK / 16 - 3));
  EXPECT_EQ(counts.chunk.swamped, 0u);
  EXPECT_EQ(counts.accumulator.overflow + counts.accumulator.inexact, 0u);
}

TEST(HugeK, RandomOperandsEngineEqualsGolden) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> nd(0, 1);
  const Format wa = parse_format("M4E3b3");
  std::vector<double> a(kHugeK), w(kHugeK);
  for (double& x : a) x = quantize(nd(rng), wa).value;
  for (double& x : w) x = quantize(nd(rng) / 4, wa).value;
  gemm_both(a, w, 1, kHugeK, 1, paper());
  AccumConfig wide = paper();
  wide.chunk_accumulator = parse_format("fp32");
  gemm_both(a, w, 1, kHugeK, 1, wide);
}

TEST(Limits, M0E1HasOneBinade) {
  // M0E1, bias 0: emin = 1 and emax = 2^1 - 1 - 0 = 1, so the only non-zero values are +-2.
  const Format f = parse_format("M0E1");
  EXPECT_EQ(f.bias, 0);
  EXPECT_EQ(f.max_value(), 2.0);
  EXPECT_THAT(quantize(3.0, f).value, Same(2.0));
  EXPECT_EQ(quantize(3.0, f).events, kInexact);
  EXPECT_THAT(quantize(-3.5, f).value, Same(-2.0));
  EXPECT_THAT(quantize(1.99, f).value, Same(0.0));
  EXPECT_EQ(quantize(1.99, f).events, kUnderflow);
  EXPECT_THAT(quantize(4.0, f).value, Same(2.0));
  EXPECT_EQ(quantize(4.0, f).events, kOverflow);
  // subnormal: quantum 2^(1-0-0) = 2 below 2; rne: 1.0 is a tie (0 or 2) -> even 0; 1.5 -> 2.
  const Format s = parse_format("M0E1:subnormal:rne");
  EXPECT_THAT(quantize(1.0, s).value, Same(0.0));
  EXPECT_EQ(quantize(1.0, s).events, kUnderflow);
  EXPECT_THAT(quantize(1.5, s).value, Same(2.0));
  EXPECT_THAT(quantize(-1.5, s).value, Same(-2.0));
  // A dot product in M0E1 everywhere: 2*1 = 2, 2 + 2 = 4 saturates to 2.
  EXPECT_THAT(gemm_both({2, 2}, {1, 1}, 1, 2, 1, uniform("M0E1", 0))[0], Same(2.0));
}

TEST(Limits, M52E11IeeeIsDouble) {
  const Format f = parse_format("M52E11:rne:subnormal:inf:ieee");
  EXPECT_EQ(f.bias, 1023);
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<std::uint64_t> bits;
  for (int i = 0; i < 200000; ++i) {
    // Random bit patterns cover subnormals, huge values, inf and NaN.
    const double x = std::bit_cast<double>(bits(rng));
    const double y = std::bit_cast<double>(bits(rng));
    ASSERT_THAT(quantize(x, f).value, Same(x));
    ASSERT_THAT(mul_q(x, y, f).value, Same(x * y)) << x << " * " << y;
    ASSERT_THAT(add_q(x, y, f).value, Same(x + y)) << x << " + " << y;
    // Nearby exponents, so that sums round and cancel.
    const double z = std::ldexp(std::bit_cast<double>(bits(rng) | 0x3ff0000000000000) - 1.5,
                                std::ilogb(std::isfinite(x) && x != 0 ? x : 1.0));
    ASSERT_THAT(add_q(x, z, f).value, Same(x + z)) << x << " + " << z;
  }
}

TEST(Limits, M52E11WithoutSpecialsIsRefused) {
  // Without specials the top exponent code is finite: emax = 2047 - 1023 = 1024 > 1023.
  try {
    parse_format("M52E11");
    FAIL() << "M52E11 (specials=none) accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("bias"), HasSubstr("1024")));
  }
}

TEST(Limits, BiasesFarFromDefault) {
  // b = -1008: emax = 15 + 1008 = 1023, max = 2^1023 * (2 - 2^-7), the largest M7E4 fits.
  const Format hi = parse_format("M7E4b-1008");
  const double max = std::ldexp(2.0 - std::ldexp(1.0, -7), 1023);
  EXPECT_EQ(hi.max_value(), max);
  EXPECT_THAT(quantize(std::numeric_limits<double>::max(), hi).value, Same(max));
  EXPECT_THAT(quantize(kInf, hi).value, Same(max));
  EXPECT_THAT(quantize(std::ldexp(1.0, 1008), hi).value, Same(0.0));  // below 2^(1+1008): flushed
  EXPECT_THAT(quantize(std::ldexp(1.75, 1009), hi).value, Same(std::ldexp(1.75, 1009)));
  EXPECT_THROW(parse_format("M7E4b-1009"), InputError);  // emax 1024
  // b = 1068 with subnormals: smallest quantum 2^(1-1068-7) = 2^-1074, double's smallest.
  const Format lo = parse_format("M7E4b1068:subnormal");
  const double tiny = std::numeric_limits<double>::denorm_min();
  EXPECT_THAT(quantize(tiny, lo).value, Same(tiny));
  EXPECT_THAT(quantize(3 * tiny, lo).value, Same(3 * tiny));
  EXPECT_THAT(mul_q(std::ldexp(1.0, -1000), std::ldexp(1.5, -74), lo).value, Same(tiny));
  EXPECT_THROW(parse_format("M7E4b1069:subnormal"), InputError);  // quantum 2^-1075
  EXPECT_THROW(parse_format("M7E4b1069"), InputError);
  for (const char* text : {"M7E4b1048577", "M7E4b-1048577", "M7E4b2147483647", "M7E4b-2147483648",
                           "M7E4b99999999999", "M2147483647E4"}) {
    try {
      parse_format(text);
      ADD_FAILURE() << text << " accepted";
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr(text));
    }
  }
}

TEST(Limits, EngineWithFarBiases) {
  // Products of M4E3 values scaled by 2^500 land around 2^1000: exact in double, and the
  // formats with bias -990 (range up to 2^(15+990)) hold them; the engine must match golden.
  std::mt19937_64 rng(9);
  std::normal_distribution<double> nd(0, 1);
  const Format wa = parse_format("M4E3b3");
  const std::int64_t m = 3, k = 70, n = 3;
  std::vector<double> a(m * k), w(k * n);
  for (double& x : a) x = std::ldexp(quantize(nd(rng), wa).value, 500);
  for (double& x : w) x = std::ldexp(quantize(nd(rng), wa).value, 500);
  const AccumConfig cfg{parse_format("M7E4b-990"), parse_format("M7E4b-992"),
                        parse_format("M7E4b-992"), 16};
  gemm_both(a, w, m, k, n, cfg);
}

}  // namespace
}  // namespace lbasim::num

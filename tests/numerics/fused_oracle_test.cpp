// The fused order (section 7) of the golden model against the independent MPFR oracle: random
// and adversarial FP8 dot products under the GPU configurations and under small formats that
// make every event happen; values bit for bit and every stage's counts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "expect_helpers.h"
#include "lbasim/numerics/accumulate.h"
#include "mpfr_fused_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::expect_counts;
using testing::hex;
using testing::make_format;
using U = Underflow;
using O = Overflow;
using R = Rounding;

const Format kM13E8 = testing::m13e8_rtz();
const Format kFp32Rtz = testing::fp32_rtz();

struct FusedCase {
  std::string name;
  Format wa;  // operands are values of this format (times a per-vector power of two)
  int terms, align_bits;
  Format acc, cacc;
  bool floors;  // declare the operand format (its exponent floor) to the adder
};
void PrintTo(const FusedCase& c, std::ostream* os) { *os << c.name; }

std::vector<FusedCase> cases() {
  const Format paper_acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  const Format m10e5 = make_format(10, 5, 15, U::subnormal, O::saturate, R::rne);
  const Format tiny = make_format(3, 4, 4, U::flush, O::saturate, R::rne);
  const Format tiny_sub = make_format(3, 4, 4, U::subnormal, O::saturate, R::rtz);
  const Format e4m3 = testing::fp8_e4m3(), e5m2 = testing::fp8_e5m2();
  return {
      {"hopper_fp8_e4m3", e4m3, 32, 13, kM13E8, kM13E8, true},
      {"hopper_fp8_e4m3_promote_fp32", e4m3, 32, 13, kM13E8, testing::fp32(), true},
      {"hopper_fp8_e5m2", e5m2, 32, 13, kM13E8, kM13E8, true},
      {"hopper_fp8_undeclared_operands", e4m3, 32, 13, kM13E8, kM13E8, false},
      {"blackwell_fp8", e4m3, 32, 25, kFp32Rtz, kFp32Rtz, true},
      {"hopper_fp16", testing::fp16(), 16, 25, kFp32Rtz, kFp32Rtz, true},
      {"ada_fp8_g16", e4m3, 16, 13, kM13E8, kM13E8, true},
      {"g1_F0", e4m3, 1, 0, kM13E8, kM13E8, true},
      {"g3_F2_paper_acc", e4m3, 3, 2, paper_acc, paper_acc, true},
      {"g4_F5_rne_subnormal", e5m2, 4, 5, m10e5, testing::fp32(), true},
      {"g8_F1_small_acc_overflow", e4m3, 8, 1, tiny, tiny, true},
      {"g5_F4_small_subnormal_acc", e4m3, 5, 4, tiny_sub, tiny, true},
      {"g2_F60_nearly_exact", e4m3, 2, 60, kFp32Rtz, kFp32Rtz, true},
  };
}

// A member of f: a uniformly random finite code (subnormals and extremes included).
double random_code(std::mt19937_64& rng, const Format& f) {
  for (;;) {
    const double v = oracle::quantize(testing::random_value(rng, f), f).value;
    if (std::isfinite(v)) return v;
  }
}

// Operands of one vector: `kind` picks the adversarial pattern; values are f's members times
// 2^scale (so the floor is f's emin + scale).
std::vector<double> make_vector(std::mt19937_64& rng, const Format& f, int k, int kind, int scale,
                                bool second) {
  std::normal_distribution<double> normal(0.0, 1.0);
  const double top = oracle::max_value(f);
  std::vector<double> v(k);
  for (int i = 0; i < k; ++i) {
    double x = 0;
    switch (kind) {
      case 0:  // uniformly random codes: subnormals, extremes, both signs
        x = random_code(rng, f);
        break;
      case 1:  // Gaussian data scaled into the format (DeepSeek-style inputs)
        x = oracle::quantize(normal(rng) * top / 8, f).value;
        break;
      case 2:  // cancellation: pairs x, -x against equal weights
        x = second ? 1.0 : (i % 2 ? -1.0 : 1.0) * std::abs(random_code(rng, f));
        if (!second && i % 2) x = -v[i - 1];
        break;
      case 3:  // one large term per group, the rest far below E
        x = (i % 7 == 0) ? top : std::ldexp(random_code(rng, f), -6);
        x = oracle::quantize(x, f).value;
        break;
      case 4:  // all-zero groups between random ones
        x = (i / 4) % 2 ? 0.0 : random_code(rng, f);
        break;
      default:  // tiny: subnormal codes only
        x = oracle::quantize(std::ldexp(normal(rng), 1 - f.bias - 1), f).value;
        break;
    }
    v[i] = std::ldexp(x, scale);
  }
  return v;
}

class FusedOracle : public ::testing::TestWithParam<FusedCase> {};

TEST_P(FusedOracle, ValuesAndEvents) {
  const FusedCase& c = GetParam();
  std::mt19937_64 rng(std::hash<std::string>{}(c.name));
  const int g = c.terms;
  StageCounts seen;
  int runs = 0;
  for (int k : {1, 2, g - 1, g, g + 1, 2 * g + 3, 100}) {
    if (k < 1) continue;
    for (std::int64_t chunk : {0, 7, g, 2 * g, 128}) {
      for (int rep = 0; rep < 12; ++rep) {
        const int kind = rep % 6;
        // Scales put some runs' sums into the accumulator's subnormal range (or below its
        // smallest normal under flush) and others near its top.
        const int sa = rep < 6 ? 0 : static_cast<int>(rng() % 2 ? -c.acc.bias / 2 : 2);
        const int sw = rep < 6 ? 0 : -c.acc.bias / 2 - 4;
        const std::vector<double> a = make_vector(rng, c.wa, k, kind, sa, false);
        const std::vector<double> w = make_vector(rng, c.wa, k, kind, sw, true);
        oracle::FusedSpec spec{g, c.align_bits, c.acc, c.cacc, chunk};
        AccumConfig cfg{Format{}, c.acc, c.cacc, chunk, FusedOrder{g, c.align_bits, true}};
        int fa = kNoFloor, fw = kNoFloor;
        if (c.floors && c.wa.underflow == U::subnormal) {
          fa = spec.floor_a = (1 - c.wa.bias) + sa;
          fw = spec.floor_w = (1 - c.wa.bias) + sw;
        }
        const oracle::FusedDotResult want = oracle::dot_fused(a, w, spec);
        StageCounts got_counts;
        const double got = dot_chunked(a.data(), 1, w.data(), 1, k, cfg, &got_counts, fa, fw);
        const std::string what = c.name + " k=" + std::to_string(k) +
                                 " chunk=" + std::to_string(chunk) + " rep=" + std::to_string(rep);
        ASSERT_TRUE(oracle::same_bits(got, want.value))
            << what << ": expected " << hex(want.value) << " got " << hex(got);
        expect_counts(got_counts.product, want.product, what + " product");
        expect_counts(got_counts.accumulator, want.accumulator, what + " accumulator");
        expect_counts(got_counts.chunk, want.chunk, what + " chunk");
        EXPECT_EQ(got_counts.accumulator.align_inexact, want.align_inexact) << what;
        if (::testing::Test::HasFailure()) return;
        seen += got_counts;
        ++runs;
      }
    }
  }
  // The sweep exercised the events this configuration can make.
  EXPECT_GT(seen.accumulator.align_inexact, 0u) << c.name;
  EXPECT_GT(seen.accumulator.swamped, 0u) << c.name;
  EXPECT_GT(seen.accumulator.inexact + seen.chunk.inexact, 0u) << c.name;
  if (c.name.starts_with("g8_F1_small")) {
    EXPECT_GT(seen.accumulator.overflow, 0u);
  }
  if (c.name.starts_with("g5_F4_small") || c.name.starts_with("g3_F2")) {
    EXPECT_GT(seen.accumulator.underflow, 0u);
  }
  RecordProperty("runs", std::to_string(runs));
  RecordProperty("align_inexact", std::to_string(seen.accumulator.align_inexact));
  RecordProperty("swamped", std::to_string(seen.accumulator.swamped));
}

INSTANTIATE_TEST_SUITE_P(Configs, FusedOracle, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

// g = 1 with F wide enough for the operands' range is the FMAq chain with an exact product
// stage (section 7); products of M4E3 values fit M9E5 exactly, so the chain rounds nothing.
TEST(FusedOrder, OneTermWideAlignmentIsTheExactChain) {
  std::mt19937_64 rng(7);
  const Format wa = make_format(4, 3, 3, U::flush, O::saturate, R::rtz);
  const Format exact_prod = make_format(9, 6, 31, U::flush, O::saturate, R::rtz);
  const Format acc = make_format(7, 5, 15, U::flush, O::saturate, R::rtz);
  for (int rep = 0; rep < 200; ++rep) {
    const int k = 1 + static_cast<int>(rng() % 64);
    std::vector<double> a(k), w(k);
    for (double& x : a) x = random_code(rng, wa);
    for (double& x : w) x = random_code(rng, wa);
    const AccumConfig chain{exact_prod, acc, acc, 16};
    const AccumConfig fused{Format{}, acc, acc, 16, FusedOrder{1, 60, true}};
    StageCounts cc, fc;
    const double want = dot_chunked(a.data(), 1, w.data(), 1, k, chain, &cc);
    const double got = dot_chunked(a.data(), 1, w.data(), 1, k, fused, &fc);
    ASSERT_TRUE(oracle::same_bits(got, want)) << rep << ": " << hex(want) << " vs " << hex(got);
    ASSERT_EQ(cc.product.inexact + cc.product.underflow + cc.product.overflow, 0u);
    EXPECT_EQ(fc.accumulator, cc.accumulator) << rep;
    EXPECT_EQ(fc.chunk, cc.chunk) << rep;
  }
}

}  // namespace
}  // namespace lbasim::num

// Exhaustive FMAq: every (acc, a, w) triple of encodings of small formats against the oracle.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "lbasim/numerics/encoding.h"
#include "lbasim/numerics/fmaq.h"
#include "lbasim/numerics/quantize.h"
#include "mpfr_oracle.h"
#include "test_support.h"

namespace lbasim::num {
namespace {

using testing::hex;
using testing::make_format;
using U = Underflow;
using O = Overflow;
using R = Rounding;

struct ExhaustiveCase {
  std::string name;
  Format wa, product, accumulator;
};
void PrintTo(const ExhaustiveCase& c, std::ostream* os) { *os << c.name; }

// The finite values of every code of f (NaN and inf codes skipped), decoded by the golden
// decode() and checked to be members of f by the oracle.
std::vector<double> all_finite_values(const Format& f) {
  std::vector<double> v;
  for (std::uint64_t code = 0; code < (1ULL << f.width()); ++code) {
    const double x = decode(code, f);
    if (!std::isfinite(x)) continue;
    const oracle::Result q = oracle::quantize(x, f);
    EXPECT_TRUE(q.events == 0 && oracle::same_bits(q.value, x))
        << f.to_string() << " code " << code << " decodes to a non-member " << hex(x);
    v.push_back(x);
  }
  return v;
}

// Codes that are finite: ieee loses the top exponent code (2 signs x 2^M), nan the two NaNs.
std::size_t finite_codes(const Format& f) {
  const std::size_t all = std::size_t{1} << f.width();
  if (f.specials == Specials::ieee) return all - (std::size_t{2} << f.man);
  if (f.specials == Specials::nan) return all - 2;
  return all;
}

class FmaqExhaustive : public ::testing::TestWithParam<ExhaustiveCase> {};

TEST_P(FmaqExhaustive, AllEncodings) {
  const ExhaustiveCase& c = GetParam();
  const std::vector<double> ops = all_finite_values(c.wa);
  const std::vector<double> accs = all_finite_values(c.accumulator);
  std::uint64_t checked = 0, wrong = 0;
  for (double a : ops) {
    for (double w : ops) {
      for (double acc : accs) {
        ++checked;
        const oracle::FmaResult want = oracle::fma(acc, a, w, c.product, c.accumulator);
        const FmaqResult got = fmaq(acc, a, w, c.product, c.accumulator);
        const bool events_ok =
            want.acc_events == oracle::kUnspecified ||
            (got.prod_events == want.prod_events && got.acc_events == want.acc_events);
        if ((!oracle::same_bits(got.acc, want.acc) ||
             !oracle::same_bits(got.product, want.product) || !events_ok) &&
            ++wrong <= 8) {
          ADD_FAILURE() << c.name << ": acc=" << hex(acc) << " a=" << hex(a) << " w=" << hex(w)
                        << " expected " << hex(want.product) << "/" << hex(want.acc) << " events "
                        << int(want.prod_events) << "/" << int(want.acc_events) << ", got "
                        << hex(got.product) << "/" << hex(got.acc) << " events "
                        << int(got.prod_events) << "/" << int(got.acc_events);
        }
      }
    }
  }
  EXPECT_EQ(wrong, 0u) << "of " << checked;
  // The sweep really covered every finite code.
  EXPECT_EQ(ops.size(), finite_codes(c.wa));
  EXPECT_EQ(accs.size(), finite_codes(c.accumulator));
}

INSTANTIATE_TEST_SUITE_P(
    SmallFormats, FmaqExhaustive,
    ::testing::Values(
        ExhaustiveCase{"rtz_flush_saturate", make_format(2, 3, 3, U::flush, O::saturate, R::rtz),
                       make_format(3, 3, 2, U::flush, O::saturate, R::rtz),
                       make_format(3, 3, 3, U::flush, O::saturate, R::rtz)},
        ExhaustiveCase{"rne_subnormal_saturate",
                       make_format(2, 3, 3, U::subnormal, O::saturate, R::rne),
                       make_format(3, 3, 2, U::subnormal, O::saturate, R::rne),
                       make_format(3, 3, 3, U::subnormal, O::saturate, R::rne)},
        ExhaustiveCase{"ieee_mixed_rounding",
                       make_format(2, 3, 3, U::subnormal, O::inf, R::rne, Specials::ieee),
                       make_format(3, 4, 7, U::subnormal, O::inf, R::rne, Specials::ieee),
                       make_format(3, 3, 3, U::subnormal, O::inf, R::rtz, Specials::ieee)}),
    [](const auto& info) { return info.param.name; });

// The paper's product stage over every pair of W/A codes: M4E3 with the default bias 3 and a
// flexible bias 7 (products reaching below 2^-11), into M7E4b12.
TEST(PaperExhaustive, ProductOfAllWaPairs) {
  const Format prod = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
  for (int bias : {3, 7, 9}) {
    const std::vector<double> ops =
        all_finite_values(make_format(4, 3, bias, U::flush, O::saturate, R::rtz));
    int wrong = 0;
    for (double a : ops) {
      for (double w : ops) {
        const oracle::Result want = oracle::mul(a, w, prod);
        const Quantized got = mul_q(a, w, prod);
        if ((!oracle::same_bits(got.value, want.value) || got.events != want.events) &&
            ++wrong <= 8) {
          ADD_FAILURE() << "bias " << bias << " mul_q(" << hex(a) << ", " << hex(w) << ") expected "
                        << hex(want.value) << "/" << int(want.events) << " got " << hex(got.value)
                        << "/" << int(got.events);
        }
      }
    }
    EXPECT_EQ(wrong, 0) << "bias " << bias;
  }
}

// The paper's accumulator step: every M7E4b10 accumulator code plus every M7E4b12 product code
// (16.7M sums) when LBASIM_SLOW_TESTS is set; every 16th product code otherwise.
TEST(PaperExhaustive, AccumulatorStepAllCodes) {
  const Format prod = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
  const Format acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  const bool slow = std::getenv("LBASIM_SLOW_TESTS") != nullptr;
  const std::vector<double> accs = all_finite_values(acc);
  const std::vector<double> prods = all_finite_values(prod);
  std::uint64_t wrong = 0, checked = 0;
  for (std::size_t i = 0; i < prods.size(); i += slow ? 1 : 16) {
    for (double x : accs) {
      ++checked;
      const oracle::Result want = oracle::add(x, prods[i], acc);
      const Quantized got = add_q(x, prods[i], acc);
      if ((!oracle::same_bits(got.value, want.value) || got.events != want.events) &&
          ++wrong <= 8) {
        ADD_FAILURE() << "add_q(" << hex(x) << ", " << hex(prods[i]) << ") expected "
                      << hex(want.value) << "/" << int(want.events) << " got " << hex(got.value)
                      << "/" << int(got.events);
      }
    }
  }
  EXPECT_EQ(wrong, 0u) << "of " << checked;
}

}  // namespace
}  // namespace lbasim::num

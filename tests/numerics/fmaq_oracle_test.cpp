// Golden fmaq/add_q/mul_q against the MPFR oracle (exact product at 128 bits, exact sum at
// 2300 bits, each rounded once by the oracle's Q_f), on random and adversarial operands.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfenv>
#include <cmath>
#include <random>
#include <string>

#include "lbasim/base/error.h"
#include "lbasim/numerics/events.h"
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

constexpr int kMaxReported = 8;

struct FmaCase {
  std::string name;
  Format wa;  // where the operands a, w come from
  Format product;
  Format accumulator;
};
void PrintTo(const FmaCase& c, std::ostream* os) { *os << c.name; }

std::vector<FmaCase> fma_cases() {
  const Format paper_wa = make_format(4, 3, 3, U::flush, O::saturate, R::rtz);
  const Format paper_prod = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
  const Format paper_acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  const Format double_fmt = make_format(52, 11, 1023, U::subnormal, O::inf, R::rne, Specials::ieee);
  return {
      {"paper", paper_wa, paper_prod, paper_acc},
      {"paper_rne_subnormal", paper_wa, make_format(7, 4, 12, U::subnormal, O::saturate, R::rne),
       make_format(7, 4, 10, U::subnormal, O::saturate, R::rne)},
      {"fp8_into_fp16", testing::fp8_e4m3(), testing::fp16(), testing::fp16()},
      {"bf16_prod_fp32_acc", testing::bf16(), testing::bf16(), testing::fp32()},
      {"fp32", testing::fp32(), testing::fp32(), testing::fp32()},
      {"e5m2_prod_M3E4_ieee_rtz", testing::fp8_e5m2(), testing::fp8_e5m2(),
       make_format(3, 4, 7, U::subnormal, O::inf, R::rtz, Specials::ieee)},
      {"wide_prod_narrow_acc", paper_wa, make_format(20, 8, 127, U::subnormal, O::saturate, R::rne),
       make_format(3, 4, 9, U::flush, O::saturate, R::rne)},
      {"underflow_none", paper_wa, make_format(7, 4, 12, U::none, O::saturate, R::rtz),
       make_format(7, 4, 10, U::none, O::saturate, R::rtz)},
      {"double_format", double_fmt, double_fmt, double_fmt},
      {"wide_unusual_bias", make_format(20, 6, 40, U::subnormal, O::saturate, R::rne),
       make_format(45, 10, 600, U::subnormal, O::saturate, R::rne),
       make_format(50, 9, 200, U::flush, O::saturate, R::rne)},
      {"wide_rtz_negative_bias", make_format(12, 5, -10, U::flush, O::saturate, R::rtz),
       make_format(30, 7, -40, U::flush, O::saturate, R::rtz),
       make_format(40, 8, 0, U::subnormal, O::saturate, R::rtz)},
  };
}

bool same_events(std::uint8_t got, std::uint8_t want) {
  return want == oracle::kUnspecified || got == want;
}

class Checker {
 public:
  explicit Checker(const FmaCase& c) : c_(c) {}
  ~Checker() { EXPECT_EQ(mismatches_, 0) << "of " << checked_ << " cases"; }

  void check(double acc, double a, double w) {
    ++checked_;
    const oracle::FmaResult want = oracle::fma(acc, a, w, c_.product, c_.accumulator);
    FmaqResult got{};
    try {
      got = fmaq(acc, a, w, c_.product, c_.accumulator);
    } catch (const std::exception& e) {
      report(acc, a, w, want, std::string("threw ") + e.what());
      return;
    }
    if (!oracle::same_bits(got.acc, want.acc) || !oracle::same_bits(got.product, want.product) ||
        !same_events(got.prod_events, want.prod_events) ||
        !same_events(got.acc_events, want.acc_events)) {
      report(acc, a, w, want,
             "acc " + hex(got.acc) + " product " + hex(got.product) + " events " +
                 std::to_string(got.prod_events) + "/" + std::to_string(got.acc_events));
    }
  }

 private:
  void report(double acc, double a, double w, const oracle::FmaResult& want,
              const std::string& got) {
    if (++mismatches_ <= kMaxReported) {
      ADD_FAILURE() << c_.name << ": acc=" << hex(acc) << " a=" << hex(a) << " w=" << hex(w)
                    << " expected acc " << hex(want.acc) << " product " << hex(want.product)
                    << " events " << int(want.prod_events) << "/" << int(want.acc_events)
                    << ", got " << got;
    }
  }

  const FmaCase& c_;
  int mismatches_ = 0;
  int checked_ = 0;
};

class FmaqOracle : public ::testing::TestWithParam<FmaCase> {};

// Operands from the W/A format, accumulators from the accumulator format, both random.
TEST_P(FmaqOracle, RandomMembers) {
  const FmaCase& c = GetParam();
  std::mt19937_64 rng(std::hash<std::string>{}(c.name));
  Checker check(c);
  for (int i = 0; i < 30000; ++i) {
    const double a = oracle::quantize(testing::random_value(rng, c.wa), c.wa).value;
    const double w = oracle::quantize(testing::random_value(rng, c.wa), c.wa).value;
    const double acc =
        oracle::quantize(testing::random_value(rng, c.accumulator), c.accumulator).value;
    if (std::isfinite(a) && std::isfinite(w) && std::isfinite(acc)) check.check(acc, a, w);
  }
}

// Any doubles as operands (the API takes them as given).
TEST_P(FmaqOracle, RandomDoubles) {
  const FmaCase& c = GetParam();
  std::mt19937_64 rng(17);
  Checker check(c);
  for (int i = 0; i < 20000; ++i) {
    const double a = testing::random_value(rng, c.wa);
    const double w = testing::random_value(rng, c.wa);
    const double acc = testing::random_value(rng, c.accumulator);
    // With a `none` policy a result outside double is a range error, not a value: keep those
    // exact products inside the double range. Other formats take any product.
    const bool bounded = c.product.encodable() && c.accumulator.encodable();
    if (bounded || std::abs(std::log2(std::abs(a)) + std::log2(std::abs(w))) < 1000) {
      check.check(acc, a, w);
    }
  }
}

// Exact products far outside the double range (2^+-2000): the golden model must still round
// the exact value (flush/underflow to zero, saturate or inf), never an intermediate double.
TEST_P(FmaqOracle, ProductsOutsideDoubleRange) {
  const FmaCase& c = GetParam();
  if (!c.product.encodable() || !c.accumulator.encodable()) GTEST_SKIP() << "none policy";
  std::mt19937_64 rng(43);
  Checker check(c);
  for (int i = 0; i < 5000; ++i) {
    // Half near the double range's ends (product exponent +-1000..1100), half far past them.
    const int sign = (rng() & 1) ? 1 : -1;
    const bool far = rng() & 1;
    const int ea =
        sign * (far ? 900 + static_cast<int>(rng() % 120) : static_cast<int>(rng() % 500));
    const int ew = far ? sign * (900 + static_cast<int>(rng() % 120))
                       : sign * (1000 + static_cast<int>(rng() % 100)) - ea;
    const double a = std::ldexp(1.0 + std::ldexp(double(rng() % 4096), -12), ea);
    const double w = std::ldexp(1.0 + std::ldexp(double(rng() % 4096), -12), ew);
    const double acc =
        oracle::quantize(testing::random_value(rng, c.accumulator), c.accumulator).value;
    if (a != 0 && w != 0 && std::isfinite(a) && std::isfinite(w) && std::isfinite(acc)) {
      check.check(acc, (rng() & 1) ? -a : a, w);
    }
  }
}

// Accumulators and products chosen relative to each other: huge exponent gaps, cancellation,
// ties and sticky-only differences after the sum.
TEST_P(FmaqOracle, Adversarial) {
  const FmaCase& c = GetParam();
  const int m = c.accumulator.man;
  std::mt19937_64 rng(23);
  Checker check(c);
  for (int i = 0; i < 20000; ++i) {
    const double w = std::ldexp(1.0, static_cast<int>(rng() % 5) - 2) * ((rng() & 1) ? -1 : 1);
    const double acc =
        oracle::quantize(testing::random_value(rng, c.accumulator), c.accumulator).value;
    if (!std::isfinite(acc) || acc == 0) continue;
    const int e = std::ilogb(acc);
    double p = 0;
    switch (rng() % 6) {
      case 0:  // exact cancellation
        p = -acc;
        break;
      case 1:  // half an ulp of acc: a tie after the sum
        p = std::ldexp(1.0, e - m - 1) * ((rng() & 1) ? -1 : 1);
        break;
      case 2:  // a tie plus or minus a sticky bit far below
        p = std::ldexp(1.0, e - m - 1) + std::ldexp((rng() & 1) ? 1.0 : -1.0, e - m - 40);
        break;
      case 3:  // a huge exponent gap
        p = std::ldexp(1.0 + std::ldexp(double(rng() % 1024), -10),
                       e - 30 - static_cast<int>(rng() % 900));
        break;
      case 4:  // almost cancelling
        p = -acc + std::ldexp(1.0, e - m - 3 - static_cast<int>(rng() % 20));
        break;
      default:  // a few ulps either side
        p = std::ldexp(static_cast<double>(static_cast<int>(rng() % 9) - 4), e - m - 2);
        break;
    }
    if (!std::isfinite(p) || p == 0) continue;
    const double a = p / w;  // w is a power of two: a * w == p exactly
    if (std::isfinite(a) && a * w == p) check.check(acc, a, w);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, FmaqOracle, ::testing::ValuesIn(fma_cases()),
                         [](const auto& info) { return info.param.name; });

// In the double format (M52E11 ieee rne subnormal inf), fmaq is IEEE double multiply then add:
// native doubles are a second, independent reference for sums that do not fit a double.
TEST(FmaqDoubleFormat, EqualsNativeMultiplyThenAdd) {
  const Format d = make_format(52, 11, 1023, U::subnormal, O::inf, R::rne, Specials::ieee);
  std::mt19937_64 rng(29);
  int wrong = 0;
  for (int i = 0; i < 100000; ++i) {
    const double a = testing::random_value(rng, d);
    const double w = std::ldexp(testing::random_value(rng, d), -std::ilogb(a));
    double acc = testing::random_value(rng, d);
    const double aw = a * w;
    if (i % 2 && aw != 0 && std::isfinite(aw)) {
      acc = std::ldexp(acc, std::ilogb(aw) - std::ilogb(acc) - int(rng() % 120) + 60);
    }
    if (!std::isfinite(a) || !std::isfinite(w) || !std::isfinite(acc)) continue;
    const volatile double p = a * w;
    const double want = p + acc;
    const FmaqResult got = fmaq(acc, a, w, d, d);
    if (!oracle::same_bits(got.acc, want) && ++wrong <= kMaxReported) {
      ADD_FAILURE() << "acc=" << hex(acc) << " a=" << hex(a) << " w=" << hex(w) << " expected "
                    << hex(want) << " got " << hex(got.acc);
    }
  }
  EXPECT_EQ(wrong, 0);
}

// The same with round-toward-zero: native double arithmetic under FE_TOWARDZERO (IEEE RTZ
// overflows to +-max, as the contract's rtz + inf does).
TEST(FmaqDoubleFormat, RtzEqualsNativeTowardZero) {
  const Format d = make_format(52, 11, 1023, U::subnormal, O::inf, R::rtz, Specials::ieee);
  std::mt19937_64 rng(37);
  struct Op {
    double acc, a, w, want;
  };
  std::vector<Op> ops;
  for (int i = 0; i < 100000; ++i) {
    const double a = testing::random_value(rng, d);
    const double w = std::ldexp(testing::random_value(rng, d), -std::ilogb(a));
    double acc = testing::random_value(rng, d);
    const double aw = a * w;
    if (i % 2 && aw != 0 && std::isfinite(aw)) {
      acc = std::ldexp(acc, std::ilogb(aw) - std::ilogb(acc) - int(rng() % 120) + 60);
    }
    if (std::isfinite(a) && std::isfinite(w) && std::isfinite(acc)) ops.push_back({acc, a, w, 0});
  }
  const int old = std::fegetround();
  ASSERT_EQ(std::fesetround(FE_TOWARDZERO), 0);
  for (Op& op : ops) {
    const volatile double p = op.a * op.w;
    const volatile double s = p + op.acc;
    op.want = s;
  }
  std::fesetround(old);
  int wrong = 0;
  for (const Op& op : ops) {
    const FmaqResult got = fmaq(op.acc, op.a, op.w, d, d);
    if (!oracle::same_bits(got.acc, op.want) && ++wrong <= kMaxReported) {
      ADD_FAILURE() << "acc=" << hex(op.acc) << " a=" << hex(op.a) << " w=" << hex(op.w)
                    << " expected " << hex(op.want) << " got " << hex(got.acc);
    }
  }
  EXPECT_EQ(wrong, 0);
}

// Non-finite operands (docs/numerics.md): an infinite product or sum is an overflow and
// saturates in a specials=none format; a NaN there is an InputError.
TEST(FmaqSpecials, InfinitySaturatesWithoutSpecials) {
  const Format prod = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
  const Format acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  const FmaqResult a = fmaq(HUGE_VAL, 1.0, 1.0, prod, acc);
  EXPECT_EQ(a.acc, 63.75);
  EXPECT_EQ(a.acc_events, kOverflow);
  // -inf * 1 saturates the product to -0x1.fep+3 = -15.9375; 1 - 15.9375 is exact.
  const FmaqResult b = fmaq(1.0, -HUGE_VAL, 1.0, prod, acc);
  EXPECT_EQ(b.product, -0x1.fep+3);
  EXPECT_EQ(b.prod_events, kOverflow);
  EXPECT_EQ(b.acc, -14.9375);
  EXPECT_EQ(b.acc_events, 0);
  // An inf kept by an ieee format is exact (no event), as in IEEE arithmetic.
  const FmaqResult c = fmaq(1.0, HUGE_VAL, 2.0, testing::fp16(), testing::fp16());
  EXPECT_EQ(c.acc, HUGE_VAL);
  EXPECT_EQ(c.prod_events | c.acc_events, 0);
}

TEST(FmaqSpecials, NoSpecialsFormatRejectsNaN) {
  const Format prod = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
  const Format acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  EXPECT_THROW(fmaq(1.0, 1.0, std::nan(""), prod, acc), InputError);
  EXPECT_THROW(fmaq(1.0, HUGE_VAL, 0.0, prod, acc), InputError);  // inf * 0
  EXPECT_THROW(add_q(1.0, std::nan(""), acc), InputError);
}

// add_q and mul_q directly, including the sign of zero results.
TEST(AddQMulQ, AgreeWithOracle) {
  const Format paper_acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  const Format fp16 = testing::fp16();
  std::mt19937_64 rng(31);
  int wrong = 0;
  for (const Format& f : {paper_acc, fp16}) {
    for (int i = 0; i < 30000; ++i) {
      const double x = testing::random_value(rng, f);
      const double y = (i % 3 == 0) ? -x : testing::random_value(rng, f);
      const oracle::Result s = oracle::add(x, y, f);
      const Quantized gs = add_q(x, y, f);
      if ((!oracle::same_bits(s.value, gs.value) || s.events != gs.events) &&
          ++wrong <= kMaxReported) {
        ADD_FAILURE() << f.to_string() << " add_q(" << hex(x) << ", " << hex(y) << ") expected "
                      << hex(s.value) << "/" << int(s.events) << " got " << hex(gs.value) << "/"
                      << int(gs.events);
      }
      const oracle::Result p = oracle::mul(x, y, f);
      const Quantized gp = mul_q(x, y, f);
      if ((!oracle::same_bits(p.value, gp.value) || p.events != gp.events) &&
          ++wrong <= kMaxReported) {
        ADD_FAILURE() << f.to_string() << " mul_q(" << hex(x) << ", " << hex(y) << ") expected "
                      << hex(p.value) << "/" << int(p.events) << " got " << hex(gp.value) << "/"
                      << int(gp.events);
      }
    }
  }
  EXPECT_EQ(wrong, 0);
}

// Signed zeros by hand: x + (-x) = +0, (-0) + (-0) = -0, product sign = xor of signs.
TEST(FmaqZeros, SignsByHand) {
  const Format acc = make_format(7, 4, 10, U::flush, O::saturate, R::rtz);
  const Format prod = make_format(7, 4, 12, U::flush, O::saturate, R::rtz);
  EXPECT_FALSE(std::signbit(fmaq(-1.0, 1.0, 1.0, prod, acc).acc));
  EXPECT_FALSE(std::signbit(fmaq(1.0, -1.0, 1.0, prod, acc).acc));
  EXPECT_TRUE(std::signbit(fmaq(-0.0, 0.0, -1.0, prod, acc).acc));
  EXPECT_TRUE(std::signbit(fmaq(-0.0, -0.0, 1.0, prod, acc).product));
  EXPECT_FALSE(std::signbit(fmaq(-0.0, -0.0, -1.0, prod, acc).acc));
  EXPECT_FALSE(std::signbit(fmaq(0.0, -0.0, 1.0, prod, acc).acc));
  // A product that flushes keeps its sign, and -0 + -0 stays -0.
  const FmaqResult r = fmaq(-0.0, 0x1p-10, -0x1p-10, prod, acc);
  EXPECT_TRUE(std::signbit(r.product));
  EXPECT_EQ(r.prod_events, kUnderflow);
  EXPECT_TRUE(std::signbit(r.acc));
  EXPECT_EQ(r.acc_events, 0);
  // Swamping: 1 + 2^-9 truncates back to 1 in M7; 2^-9 is a normal of the product format.
  const FmaqResult s = fmaq(1.0, 0x1p-9, 1.0, prod, acc);
  EXPECT_EQ(s.acc, 1.0);
  EXPECT_EQ(s.acc_events, kSwamped | kInexact);
  // Saturated accumulator staying at max is overflow, not swamping.
  const FmaqResult o = fmaq(63.75, 1.0, 1.0, prod, acc);
  EXPECT_EQ(o.acc, 63.75);
  EXPECT_EQ(o.acc_events, kOverflow | kInexact);
}

}  // namespace
}  // namespace lbasim::num

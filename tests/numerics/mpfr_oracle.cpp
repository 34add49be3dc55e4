#include "mpfr_oracle.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace lbasim::num::oracle {
namespace {

// Wide enough to hold any sum of two doubles exactly (2^1024 down to 2^-1074, plus carry).
constexpr mpfr_prec_t kSumPrec = 2300;
constexpr mpfr_prec_t kProdPrec = 128;

int top_exponent(const Format& f) {
  // Exponent of the largest finite binade: the top code is reserved only by ieee specials.
  const int top_code = (1 << f.exp) - 1;
  return (f.specials == Specials::ieee ? top_code - 1 : top_code) - f.bias;
}

void max_real(mpfr_ptr out, const Format& f) {
  // none/ieee: (2 - 2^-M) 2^e = (2^(M+1) - 1) 2^(e-M); nan: the all-ones mantissa is NaN, so
  // (2 - 2^(1-M)) 2^e = (2^(M+1) - 2) 2^(e-M).
  const unsigned long ones = (2UL << f.man) - 1;
  const unsigned long sig = f.specials == Specials::nan ? ones - 1 : ones;
  mpfr_set_ui_2exp(out, sig, top_exponent(f) - f.man, MPFR_RNDN);
}

double to_double_exact(mpfr_srcptr v) {
  const double d = mpfr_get_d(v, MPFR_RNDN);
  if (std::isfinite(d) && mpfr_cmp_d(v, d) != 0) {
    throw std::logic_error("oracle: result is not a double");
  }
  return d;
}

// inf/NaN (from overflowed products or specials inputs), per docs/numerics.md: an infinity is
// kept by overflow=inf (and none) as in IEEE, exactly and without an event, else it saturates
// to +-max, an overflow. NaN stays NaN, events unspecified (kUnspecified). NaN into a
// specials=none format is the caller's InputError.
Result quantize_nonfinite(double x, const Format& f) {
  if (std::isnan(x)) return {x, kUnspecified};
  if (f.overflow != Overflow::saturate) return {x, 0};
  const double max = max_value(f);
  return {x < 0 ? -max : max, kOverflowBit};
}

}  // namespace

double max_value(const Format& f) {
  Real m(64);
  max_real(m.get(), f);
  return to_double_exact(m.get());
}

Result quantize(mpfr_srcptr x, const Format& f) {
  const bool neg = mpfr_signbit(x) != 0;
  if (mpfr_zero_p(x)) return {neg ? -0.0 : 0.0, 0};
  if (!mpfr_number_p(x)) throw std::logic_error("oracle: non-finite input");

  const double signed_zero = neg ? -0.0 : 0.0;
  if (f.underflow == Underflow::flush) {
    // Decided on the exact value: |x| < 2^(1-b) flushes.
    Real min_normal(8);
    mpfr_set_ui_2exp(min_normal.get(), 1, 1 - f.bias, MPFR_RNDN);
    if (mpfr_cmpabs(x, min_normal.get()) < 0) return {signed_zero, kUnderflowBit};
  }

  const mpfr_rnd_t rnd = f.rounding == Rounding::rne ? MPFR_RNDN : MPFR_RNDZ;
  Real y(f.man + 1);
  int t = mpfr_set(y.get(), x, rnd);
  if (f.underflow == Underflow::subnormal) {
    // MPFR writes x = m 2^e with 1/2 <= m < 1, so the min normal 2^(1-b) has e = 2-b and the
    // min subnormal 2^(1-b-M) has e = 2-b-M: that is the emin that makes mpfr_subnormalize
    // round below 2^(1-b) with quantum 2^(1-b-M).
    const mpfr_exp_t old_emin = mpfr_get_emin();
    const mpfr_exp_t old_emax = mpfr_get_emax();
    mpfr_set_emin(2 - f.bias - f.man);
    mpfr_set_emax(mpfr_get_emax_max());
    t = mpfr_check_range(y.get(), t, rnd);
    t = mpfr_subnormalize(y.get(), t, rnd);
    mpfr_set_emin(old_emin);
    mpfr_set_emax(old_emax);
  }
  if (mpfr_zero_p(y.get())) return {signed_zero, kUnderflowBit};

  std::uint8_t events = t != 0 ? kInexactBit : 0;
  if (f.overflow != Overflow::none) {
    Real max(64);
    max_real(max.get(), f);
    if (mpfr_cmpabs(y.get(), max.get()) > 0) {
      events |= kOverflowBit;
      const bool to_inf = f.overflow == Overflow::inf && f.rounding == Rounding::rne;
      const double mag = to_inf ? HUGE_VAL : to_double_exact(max.get());
      return {neg ? -mag : mag, events};
    }
  }
  return {to_double_exact(y.get()), events};
}

Result quantize(double x, const Format& f) {
  if (!std::isfinite(x)) return quantize_nonfinite(x, f);
  Real r(53);
  mpfr_set_d(r.get(), x, MPFR_RNDN);
  return quantize(r.get(), f);
}

Result add(double x, double y, const Format& f) {
  if (!std::isfinite(x) || !std::isfinite(y)) return quantize_nonfinite(x + y, f);
  Real s(kSumPrec);
  Real rx(53);
  mpfr_set_d(rx.get(), x, MPFR_RNDN);
  if (mpfr_add_d(s.get(), rx.get(), y, MPFR_RNDN) != 0) throw std::logic_error("oracle: sum");
  if (mpfr_zero_p(s.get())) {
    // IEEE: an exact zero sum is +0 unless both operands are -0.
    const bool neg = std::signbit(x) && std::signbit(y);
    mpfr_set_zero(s.get(), neg ? -1 : 1);
  }
  Result r = quantize(s.get(), f);
  if (y != 0 && x != 0 && r.value == x && !(r.events & kOverflowBit)) r.events |= kSwampedBit;
  return r;
}

Result mul(double a, double w, const Format& f) {
  if (!std::isfinite(a) || !std::isfinite(w)) return quantize_nonfinite(a * w, f);
  Real p(kProdPrec);
  Real ra(53);
  mpfr_set_d(ra.get(), a, MPFR_RNDN);
  if (mpfr_mul_d(p.get(), ra.get(), w, MPFR_RNDN) != 0) throw std::logic_error("oracle: product");
  // MPFR already gives a zero product the xor of the signs.
  return quantize(p.get(), f);
}

FmaResult fma(double acc, double a, double w, const Format& product, const Format& accumulator) {
  const Result p = mul(a, w, product);
  const Result s = add(acc, p.value, accumulator);
  return {s.value, p.value, p.events, s.events};
}

DotResult dot(const std::vector<double>& a, const std::vector<double>& w, std::int64_t chunk,
              const Format& product, const Format& accumulator, const Format& chunk_accumulator) {
  DotResult out{0.0, {}, {}, {}};
  const std::int64_t k = static_cast<std::int64_t>(a.size());
  const std::int64_t n = (chunk == 0 || chunk >= k) ? k : chunk;
  for (std::int64_t start = 0; start < k; start += n) {
    double s = 0.0;
    for (std::int64_t i = start; i < std::min(k, start + n); ++i) {
      const FmaResult r = fma(s, a[i], w[i], product, accumulator);
      out.product.add(r.prod_events);
      out.accumulator.add(r.acc_events);
      s = r.acc;
    }
    const Result c = add(out.value, s, chunk_accumulator);
    out.chunk.add(c.events);
    out.value = c.value;
  }
  return out;
}

bool same_bits(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace lbasim::num::oracle

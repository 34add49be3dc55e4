#include "mpfr_fused_oracle.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lbasim::num::oracle {
namespace {

// Terms are below 2^(E+2) and multiples of 2^(E-F): F + 2 bits each, F <= 100, and a sum of
// at most 1025 of them needs 11 more.
constexpr mpfr_prec_t kWide = 512;

// floor(log2|x|) of a non-zero MPFR value (MPFR writes x = m 2^e with 1/2 <= |m| < 1).
long floor_log2(mpfr_srcptr x) { return static_cast<long>(mpfr_get_exp(x)) - 1; }

// Group step: returns s' and adds to the counts.
double group(double s, const double* a, const double* w, int count, const FusedSpec& spec,
             FusedDotResult& out) {
  struct Term {
    Real x{kWide};
    long e = 0;
  };
  std::vector<Term> terms(static_cast<std::size_t>(count) + 1);
  mpfr_set_d(terms[0].x.get(), s, MPFR_RNDN);
  if (s != 0) {
    terms[0].e = floor_log2(terms[0].x.get());
    // The running sum is a value of the accumulator format: not below its smallest normal
    // exponent 1 - b when that format has subnormals.
    if (spec.accumulator.underflow == Underflow::subnormal)
      terms[0].e = std::max<long>(terms[0].e, 1 - spec.accumulator.bias);
  }
  for (int i = 0; i < count; ++i) {
    Term& t = terms[static_cast<std::size_t>(i) + 1];
    Real ra(53);
    mpfr_set_d(ra.get(), a[i], MPFR_RNDN);
    if (mpfr_mul_d(t.x.get(), ra.get(), w[i], MPFR_RNDN) != 0)
      throw std::logic_error("oracle: product");
    out.product.add(0);
    if (a[i] != 0 && w[i] != 0) {
      Real rw(53);
      mpfr_set_d(rw.get(), w[i], MPFR_RNDN);
      t.e = std::max<long>(floor_log2(ra.get()), spec.floor_a) +
            std::max<long>(floor_log2(rw.get()), spec.floor_w);
    }
  }
  bool any = false;
  long e_max = 0;
  for (const Term& t : terms)
    if (!mpfr_zero_p(t.x.get())) {
      e_max = any ? std::max(e_max, t.e) : t.e;
      any = true;
    }
  if (!any) {
    out.accumulator.add(0);
    return 0.0;
  }
  const long q = e_max - spec.align_bits;
  Real total(kWide), products(kWide), cut(kWide);
  mpfr_set_zero(total.get(), 1);
  mpfr_set_zero(products.get(), 1);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    mpfr_srcptr x = terms[i].x.get();
    if (mpfr_zero_p(x)) continue;
    // t = trunc(x / 2^q) * 2^q
    mpfr_mul_2si(cut.get(), x, -q, MPFR_RNDN);
    mpfr_trunc(cut.get(), cut.get());
    mpfr_mul_2si(cut.get(), cut.get(), q, MPFR_RNDN);
    if (mpfr_cmp(cut.get(), x) != 0) ++out.align_inexact;
    if (mpfr_zero_p(cut.get())) ++out.accumulator.swamped;
    if (mpfr_add(total.get(), total.get(), cut.get(), MPFR_RNDN) != 0)
      throw std::logic_error("oracle: fused sum");
    if (i > 0 && mpfr_add(products.get(), products.get(), cut.get(), MPFR_RNDN) != 0)
      throw std::logic_error("oracle: fused product sum");
  }
  if (mpfr_zero_p(total.get())) mpfr_set_zero(total.get(), 1);  // exact zero sum: +0
  Result r = quantize(total.get(), spec.accumulator);
  if (!mpfr_zero_p(products.get()) && s != 0 && r.value == s && !(r.events & kOverflowBit))
    r.events |= kSwampedBit;
  out.accumulator.add(r.events);
  return r.value;
}

}  // namespace

FusedDotResult dot_fused(const std::vector<double>& a, const std::vector<double>& w,
                         const FusedSpec& spec) {
  FusedDotResult out{0.0, {}, {}, {}, 0};
  const auto k = static_cast<std::int64_t>(a.size());
  const std::int64_t n = (spec.chunk == 0 || spec.chunk >= k) ? k : spec.chunk;
  for (std::int64_t start = 0; start < k; start += n) {
    const std::int64_t end = std::min(k, start + n);
    double s = 0.0;
    for (std::int64_t g = start; g < end; g += spec.terms) {
      const auto count = static_cast<int>(std::min<std::int64_t>(spec.terms, end - g));
      s = group(s, a.data() + g, w.data() + g, count, spec, out);
    }
    const Result c = add(out.value, s, spec.chunk_accumulator);
    out.chunk.add(c.events);
    out.value = c.value;
  }
  return out;
}

}  // namespace lbasim::num::oracle

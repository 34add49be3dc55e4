// The fused order (numerics contract, section 7) on exact integer significands: terms are
// aligned to the quantum 2^(E - F) in 128-bit integers, summed exactly, and rounded once by the
// same round_exact every other operation uses.
#include "lbasim/numerics/fused.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "exact.h"
#include "lbasim/base/error.h"
#include "lbasim/numerics/events.h"
#include "lbasim/numerics/quantize.h"
#include "round.h"

namespace lbasim::num {
namespace {

using detail::Exact;
using detail::u128;
using i128 = __int128;

// floor(log2|x|) of a non-zero exact value.
int binade(const Exact& x) { return detail::msb(x.mag) + x.exp; }

struct Term {
  Exact x;
  int e = 0;  // the exponent the adder aligns by (section 7), for non-zero x
};

// x cut toward zero to a multiple of 2^q, in units of 2^q. Every term's top bit is at most
// E + 1 = q + F + 1, so the result is below 2^(F + 2) and `lost` says whether bits were dropped.
u128 align(const Exact& x, int q, bool& lost) {
  const int up = x.exp - q;
  if (up >= 0) {
    lost = false;
    return x.mag << up;
  }
  const int down = -up;
  if (down >= 128) {
    lost = x.mag != 0;
    return 0;
  }
  lost = (x.mag & ((u128{1} << down) - 1)) != 0;
  return x.mag >> down;
}

// A group with an inf or NaN term: the IEEE sum of the terms (inf, or NaN from opposite infs or
// inf * 0), then Q_acc's rule for specials. No alignment happens.
FusedStep special_step(double s, const double* a, std::ptrdiff_t a_stride, const double* w,
                       std::ptrdiff_t w_stride, int count, const Format& accumulator) {
  double total = s;
  for (int i = 0; i < count; ++i) total += a[i * a_stride] * w[i * w_stride];
  const Quantized r = detail::round_special(total, accumulator);
  return {r.value, r.events, 0, 0};
}

}  // namespace

void add_step(EventCounts& c, const FusedStep& step) {
  c.add(step.events);
  c.swamped += static_cast<std::uint64_t>(step.cut);
  c.align_inexact += static_cast<std::uint64_t>(step.align_inexact);
}

int operand_floor(const Format& f, int scale_exp) {
  return f.underflow == Underflow::subnormal ? f.emin() + scale_exp : kNoFloor;
}

FusedStep fused_step(double s, const double* a, std::ptrdiff_t a_stride, const double* w,
                     std::ptrdiff_t w_stride, int count, const FusedOrder& order,
                     const Format& product, const Format& accumulator, int floor_a, int floor_w,
                     bool* term_cut) {
  if (count < 1 || count > kMaxFusedTerms || count > order.terms)
    throw std::logic_error(
        fmt::format("fused_step: {} products for groups of {}", count, order.terms));
  if (term_cut) std::fill(term_cut, term_cut + count + 1, false);
  bool finite = std::isfinite(s);
  for (int i = 0; i < count; ++i)
    finite = finite && std::isfinite(a[i * a_stride]) && std::isfinite(w[i * w_stride]);
  if (!finite) return special_step(s, a, a_stride, w, w_stride, count, accumulator);

  // Terms: s first, then the exact products with their unnormalized exponents e(a) + e(w).
  Term terms[kMaxFusedTerms + 1];
  int e_max = kNoFloor;
  bool any = false;
  const auto note = [&](const Term& t) {
    if (t.x.is_zero()) return;
    e_max = any ? std::max(e_max, t.e) : t.e;
    any = true;
  };
  terms[0].x = detail::exact_from(s);
  if (!terms[0].x.is_zero()) terms[0].e = std::max(binade(terms[0].x), operand_floor(accumulator));
  note(terms[0]);
  for (int i = 0; i < count; ++i) {
    const double ai = a[i * a_stride], wi = w[i * w_stride];
    if (!order.exact_product) {
      const Quantized p = mul_q(ai, wi, product);
      if (p.events != 0)
        throw InputError(fmt::format(
            "config key 'product': format {} does not hold the product {} * {} exactly; the "
            "fused order adds exact products (use \"product\": \"exact\")",
            product.to_string(), ai, wi));
    }
    Term& t = terms[i + 1];
    t.x = detail::exact_product(ai, wi);
    if (!t.x.is_zero()) {
      const int ea = std::max(binade(detail::exact_from(ai)), floor_a);
      const int ew = std::max(binade(detail::exact_from(wi)), floor_w);
      t.e = ea + ew;
    }
    note(t);
  }

  FusedStep step{};
  if (!any) {  // all terms zero: s = +0 (still one quantization, of nothing)
    step.sum = 0.0;
    return step;
  }
  const int q = e_max - order.align_bits;
  i128 total = 0, products = 0;
  for (int i = 0; i <= count; ++i) {
    const Exact& x = terms[i].x;
    if (x.is_zero()) continue;
    bool lost = false;
    const u128 v = align(x, q, lost);
    step.align_inexact += lost;
    step.cut += v == 0;
    if (term_cut) term_cut[i] = v == 0;
    const i128 sv = x.neg ? -static_cast<i128>(v) : static_cast<i128>(v);
    total += sv;
    if (i > 0) products += sv;
  }
  Exact sum;
  sum.neg = total < 0;
  sum.mag = static_cast<u128>(total < 0 ? -total : total);
  sum.exp = q;
  const Quantized r = detail::round_exact(sum, accumulator);  // +0 for an exact zero sum
  step.sum = r.value;
  step.events = r.events;
  if (products != 0 && s != 0 && r.value == s && !(r.events & kOverflow)) step.events |= kSwamped;
  return step;
}

}  // namespace lbasim::num

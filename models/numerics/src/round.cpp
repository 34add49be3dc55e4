// Rounding, flush and saturation: written once, used by every operation.
#include "round.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <limits>

#include "lbasim/base/error.h"
#include "lbasim/numerics/events.h"

namespace lbasim::num::detail {
namespace {

double signed_value(bool neg, double magnitude) { return neg ? -magnitude : magnitude; }

// kept * 2^q as a double; refuses what a double cannot hold (only reachable with `none`).
double to_double(std::uint64_t kept, int q, const Format& f) {
  const int top = 63 - __builtin_clzll(kept);
  const int binade = top + q;
  if (binade >= -1022 && binade <= 1023) {  // a normal double: assemble its fields
    const std::uint64_t frac = (kept << (52 - top)) & ((std::uint64_t{1} << 52) - 1);
    return std::bit_cast<double>((static_cast<std::uint64_t>(binade + 1023) << 52) | frac);
  }
  const double r = std::ldexp(static_cast<double>(kept), q);
  if (std::isinf(r) || std::ldexp(r, -q) != static_cast<double>(kept))
    throw InputError(fmt::format(
        "format {}: result {}*2^{} is outside the range of double, which bounds the `none` "
        "policies in the golden model",
        f.to_string(), kept, q));
  return r;
}

}  // namespace

Quantized round_exact(const Exact& x, const Format& f) {
  if (x.is_zero()) return {signed_value(x.neg, 0.0), 0};
  const int top = msb(x.mag);
  const int binade = top + x.exp;  // floor(log2 |x|), also with a sticky tail
  const int emin = f.emin();
  if (f.underflow == Underflow::flush && binade < emin)
    return {signed_value(x.neg, 0.0), kUnderflow};

  int q = binade - f.man;  // quantum: the weight of the last kept bit
  if (f.underflow == Underflow::subnormal && binade < emin) q = emin - f.man;

  std::uint64_t kept = 0;
  std::uint8_t events = 0;
  const int shift = q - x.exp;
  if (shift <= 0) {
    // No bits below the quantum: exact. top <= man here, so mag < 2^53.
    kept = static_cast<std::uint64_t>(x.mag);
    q = x.exp;
  } else {
    u128 rem;
    bool above_half = false, at_half = false;
    if (shift > 128) {
      rem = x.mag;  // all of it is below half a quantum
    } else {
      kept = shift == 128 ? 0 : static_cast<std::uint64_t>(x.mag >> shift);
      rem = shift == 128 ? x.mag : x.mag & ((u128{1} << shift) - 1);
      const u128 half = u128{1} << (shift - 1);
      above_half = rem > half || (rem == half && x.sticky);
      at_half = rem == half && !x.sticky;
    }
    if (rem != 0 || x.sticky) events |= kInexact;
    if (f.rounding == Rounding::rne && (above_half || (at_half && (kept & 1)))) ++kept;
  }
  if (kept == 0) return {signed_value(x.neg, 0.0), kUnderflow};

  if (kept == (std::uint64_t{2} << f.man)) {  // rounding carried into the next binade
    kept >>= 1;
    ++q;
  }
  if (f.overflow != Overflow::none) {
    const int result_binade = msb(kept) + q;
    const std::uint64_t max_kept =
        (std::uint64_t{2} << f.man) - (f.specials == Specials::nan ? 2 : 1);
    const bool over = result_binade > f.emax() || (result_binade == f.emax() && kept > max_kept);
    if (over) {
      events |= kOverflow;
      if (f.overflow == Overflow::inf && f.rounding == Rounding::rne)
        return {signed_value(x.neg, std::numeric_limits<double>::infinity()), events};
      return {signed_value(x.neg, f.max_value()), events};
    }
  }
  return {signed_value(x.neg, to_double(kept, q, f)), events};
}

Quantized round_special(double x, const Format& f) {
  if (std::isnan(x)) {
    if (f.specials == Specials::none)
      throw InputError(
          fmt::format("a NaN reached format {}, which has no NaN (specials=none)", f.to_string()));
    return {std::numeric_limits<double>::quiet_NaN(), 0};
  }
  // Infinity exceeds every max: kept where the format has inf and does not saturate, else
  // saturated like any other overflow.
  if ((f.specials == Specials::ieee && f.overflow != Overflow::saturate) ||
      (f.specials == Specials::none && f.overflow == Overflow::none))
    return {x, 0};
  return {std::signbit(x) ? -f.max_value() : f.max_value(), kOverflow};
}

}  // namespace lbasim::num::detail

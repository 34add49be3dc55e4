// sign|exponent|mantissa codes of a format, the layout the RTL uses.
#include "lbasim/numerics/encoding.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "lbasim/base/error.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::num {
namespace {

void require_encodable(const Format& f) {
  if (!f.encodable())
    throw InputError(fmt::format(
        "format {}: has no bit encoding (underflow=none or overflow=none are simulation-only)",
        f.to_string()));
}

std::uint64_t mask(int bits) {
  return bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

}  // namespace

std::uint64_t encode(double v, const Format& f) {
  require_encodable(f);
  const int m = f.man;
  const std::uint64_t top_exp = mask(f.exp);
  const std::uint64_t sign = std::uint64_t{std::signbit(v) ? 1u : 0u} << (f.exp + m);
  if (std::isnan(v)) {
    if (f.specials == Specials::ieee) return (top_exp << m) | (std::uint64_t{1} << (m - 1));
    if (f.specials == Specials::nan) return mask(f.exp + m);
  }
  // inf has a code in every ieee format, also one that saturates (and so never produces it).
  if (std::isinf(v) && f.specials == Specials::ieee) return sign | (top_exp << m);
  if (!is_member(v, f))
    throw InputError(
        fmt::format("value {} ({:a}) is not a value of format {}", v, v, f.to_string()));
  if (std::isinf(v)) return sign | (top_exp << m);
  const double a = std::fabs(v);
  if (a == 0) return sign;
  int e = 0;
  std::frexp(a, &e);
  const int binade = e - 1;
  if (binade < f.emin())  // subnormal: exponent code 0
    return sign | static_cast<std::uint64_t>(std::ldexp(a, f.man - f.emin()));
  const auto code = static_cast<std::uint64_t>(binade + f.bias);
  const auto frac = static_cast<std::uint64_t>(std::ldexp(a, m - binade)) & mask(m);
  return sign | (code << m) | frac;
}

double decode(std::uint64_t code, const Format& f) {
  require_encodable(f);
  const int m = f.man;
  if ((code & ~mask(f.width())) != 0)
    throw InputError(fmt::format("code {:#x} has more than the {} bits of format {}", code,
                                 f.width(), f.to_string()));
  const bool neg = (code >> (f.exp + m)) & 1;
  const std::uint64_t ecode = (code >> m) & mask(f.exp);
  const std::uint64_t frac = code & mask(m);
  const double sign = neg ? -1.0 : 1.0;
  if (ecode == mask(f.exp)) {
    if (f.specials == Specials::ieee)
      return frac == 0 ? sign * std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::quiet_NaN();
    if (f.specials == Specials::nan && frac == mask(m))
      return std::numeric_limits<double>::quiet_NaN();
  }
  if (ecode == 0) {
    if (f.underflow == Underflow::flush) return sign * 0.0;  // DAZ
    return sign * std::ldexp(static_cast<double>(frac), f.emin() - m);
  }
  const auto sig = static_cast<double>((std::uint64_t{1} << m) | frac);
  return sign * std::ldexp(sig, static_cast<int>(ecode) - f.bias - m);
}

}  // namespace lbasim::num

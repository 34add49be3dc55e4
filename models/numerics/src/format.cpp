// Derived limits and validation of a Format.
#include "lbasim/numerics/format.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "lbasim/base/error.h"

namespace lbasim::num {

int default_bias(int exp) { return (1 << (exp - 1)) - 1; }

int Format::emax() const {
  const int top_code = (1 << exp) - 1;
  return (specials == Specials::ieee ? top_code - 1 : top_code) - bias;
}

double Format::max_value() const {
  // nan specials lose the all-ones mantissa of the top binade to NaN.
  const double ulps = specials == Specials::nan ? 2.0 : 1.0;
  return std::ldexp(std::ldexp(2.0, man) - ulps, emax() - man);
}

double Format::min_normal() const { return std::ldexp(1.0, emin()); }

void validate(const Format& f) {
  const auto bad = [&](std::string_view field, auto value, std::string_view expected) {
    throw InputError(fmt::format("format {}: {} = {} is invalid; expected {}", f.to_string(), field,
                                 value, expected));
  };
  if (f.man < 0 || f.man > kMaxMan) bad("man", f.man, fmt::format("0..{}", kMaxMan));
  if (f.exp < 1 || f.exp > kMaxExp) bad("exp", f.exp, fmt::format("1..{}", kMaxExp));
  if (f.bias < -(1 << 20) || f.bias > (1 << 20)) bad("bias", f.bias, "an integer within +-2^20");
  if (f.specials == Specials::ieee && f.exp < 2)
    bad("exp", f.exp, "at least 2 with specials=ieee (the top exponent code is inf/NaN)");
  if (f.specials == Specials::nan && f.man < 1)
    bad("man", f.man, "at least 1 with specials=nan (the all-ones code is NaN)");
  if (f.overflow == Overflow::inf && f.specials != Specials::ieee)
    bad("overflow", "inf", "saturate or none: overflow=inf needs specials=ieee");
  // The golden model holds values in double: the format's range must fit it.
  if (f.overflow != Overflow::none && f.emax() > 1023)
    bad("bias", f.bias,
        fmt::format("a bias of at least {} so that max fits a double (emax {} > 1023)",
                    f.bias + f.emax() - 1023, f.emax()));
  if (f.underflow != Underflow::none && f.emin() - f.man < -1074)
    bad("bias", f.bias,
        fmt::format("a bias of at most {} so that the smallest quantum 2^{} fits a double",
                    f.bias + (f.emin() - f.man + 1074), f.emin() - f.man));
}

std::string_view to_string(Underflow u) {
  switch (u) {
    case Underflow::flush:
      return "flush";
    case Underflow::subnormal:
      return "subnormal";
    case Underflow::none:
      return "none";
  }
  return "?";
}
std::string_view to_string(Overflow o) {
  switch (o) {
    case Overflow::saturate:
      return "saturate";
    case Overflow::inf:
      return "inf";
    case Overflow::none:
      return "none";
  }
  return "?";
}
std::string_view to_string(Rounding r) { return r == Rounding::rtz ? "rtz" : "rne"; }
std::string_view to_string(Specials s) {
  switch (s) {
    case Specials::none:
      return "none";
    case Specials::ieee:
      return "ieee";
    case Specials::nan:
      return "nan";
  }
  return "?";
}

std::string Format::to_string() const {
  // Bias always, then only the policies that differ from the contract's defaults.
  std::string s = fmt::format("M{}E{}b{}", man, exp, bias);
  if (rounding == Rounding::rne) s += ":rne";
  if (underflow == Underflow::subnormal) s += ":subnormal";
  if (underflow == Underflow::none) s += ":underflow=none";
  if (overflow == Overflow::inf) s += ":inf";
  if (overflow == Overflow::none) s += ":overflow=none";
  if (specials == Specials::ieee) s += ":ieee";
  if (specials == Specials::nan) s += ":specials=nan";
  return s;
}

}  // namespace lbasim::num

#include "lbasim/numerics/fast_format.h"

#include <bit>
#include <cmath>
#include <limits>

namespace lbasim::num::engine {

FastFormat make_fast_format(const Format& f) {
  FastFormat ff{};
  ff.shift = 52 - f.man;
  ff.trunc_mask = ~((std::int64_t{1} << ff.shift) - 1);
  ff.half_m1 = (std::int64_t{1} << (ff.shift - 1)) - 1;
  ff.emin_value = std::ldexp(1.0, f.emin());
  ff.emin_bits = std::bit_cast<std::int64_t>(ff.emin_value);
  ff.max_bits = std::bit_cast<std::int64_t>(f.max_value());
  ff.rne = f.rounding == Rounding::rne;
  ff.flush = f.underflow == Underflow::flush;
  ff.keeps_inf = f.specials == Specials::ieee && f.overflow != Overflow::saturate;
  const bool to_inf = f.overflow == Overflow::inf && ff.rne;
  ff.ovf_bits = to_inf ? std::bit_cast<std::int64_t>(std::numeric_limits<double>::infinity())
                       : ff.max_bits;
  return ff;
}

bool fast_format_ok(const Format& f) {
  return f.underflow != Underflow::none && f.overflow != Overflow::none && f.man >= 1 && f.man <= 51 &&
         f.emin() - f.man >= -1022 && f.emax() <= 1022;
}

}  // namespace lbasim::num::engine

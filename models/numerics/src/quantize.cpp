// Q_f on doubles, exact sums and exact products.
#include "lbasim/numerics/quantize.h"

#include <cmath>

#include "lbasim/numerics/events.h"
#include "round.h"

namespace lbasim::num {

Quantized quantize(double x, const Format& f) {
  if (!std::isfinite(x)) return detail::round_special(x, f);
  return detail::round_exact(detail::exact_from(x), f);
}

Quantized add_q(double x, double y, const Format& f) {
  if (!std::isfinite(x) || !std::isfinite(y)) return detail::round_special(x + y, f);
  Quantized r = detail::round_exact(detail::exact_sum(x, y), f);
  if (y != 0 && x != 0 && r.value == x && !(r.events & kOverflow)) r.events |= kSwamped;
  return r;
}

Quantized mul_q(double a, double w, const Format& f) {
  if (!std::isfinite(a) || !std::isfinite(w)) return detail::round_special(a * w, f);
  return detail::round_exact(detail::exact_product(a, w), f);
}

bool is_member(double x, const Format& f) {
  if (std::isnan(x)) return f.specials != Specials::none;
  if (std::isinf(x)) return f.specials == Specials::ieee && f.overflow != Overflow::saturate;
  const Quantized q = quantize(x, f);
  return q.events == 0 && q.value == x;
}

}  // namespace lbasim::num

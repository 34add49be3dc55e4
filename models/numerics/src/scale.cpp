#include "lbasim/numerics/scale.h"

#include <fmt/format.h>

#include <cmath>

#include "exact.h"
#include "lbasim/base/error.h"
#include "lbasim/numerics/quantize.h"
#include "round.h"

namespace lbasim::num {

int choose_pow2_scale(std::span<const double> x, const Format& f) {
  double maxabs = 0;
  for (double v : x)
    if (std::isfinite(v)) maxabs = std::fmax(maxabs, std::fabs(v));
  if (maxabs == 0) return 0;
  // A first guess from the binades (ilogb is exact, also for subnormals, where maxabs / max
  // would underflow to 0), then settle exactly on the smallest s that fits.
  int s = std::ilogb(maxabs) - std::ilogb(f.max_value());
  while (std::ldexp(maxabs, -s) > f.max_value()) ++s;
  while (std::ldexp(maxabs, -(s - 1)) <= f.max_value()) --s;
  return s;
}

EventCounts quantize_scaled(std::span<double> x, int s, const Format& f) {
  EventCounts counts;
  for (double& v : x) {
    // x / 2^s exactly, also where it leaves double's range: shift the exact exponent.
    Quantized q;
    if (std::isfinite(v)) {
      detail::Exact e = detail::exact_from(v);
      e.exp -= s;
      q = detail::round_exact(e, f);
    } else {
      q = quantize(v, f);
    }
    const double back = std::ldexp(q.value, s);
    if (std::isfinite(q.value) && std::ldexp(back, -s) != q.value)
      throw InputError(
          fmt::format("scale 2^{} takes the value {} of format {} outside double's "
                      "range",
                      s, q.value, f.to_string()));
    v = back;
    counts.add(q.events);
  }
  return counts;
}

}  // namespace lbasim::num

#include "lbasim/numerics/scale.h"

#include <cmath>

#include "lbasim/numerics/quantize.h"

namespace lbasim::num {

int choose_pow2_scale(std::span<const double> x, const Format& f) {
  double maxabs = 0;
  for (double v : x)
    if (std::isfinite(v)) maxabs = std::fmax(maxabs, std::fabs(v));
  if (maxabs == 0) return 0;
  int s = static_cast<int>(std::ceil(std::log2(maxabs / f.max_value())));
  // log2 is not exact near powers of two: settle on the smallest s that fits.
  while (std::ldexp(maxabs, -s) > f.max_value()) ++s;
  while (std::ldexp(maxabs, -(s - 1)) <= f.max_value()) --s;
  return s;
}

EventCounts quantize_scaled(std::span<double> x, int s, const Format& f) {
  EventCounts counts;
  for (double& v : x) {
    const Quantized q = quantize(std::ldexp(v, -s), f);
    v = std::ldexp(q.value, s);
    counts.add(q.events);
  }
  return counts;
}

}  // namespace lbasim::num

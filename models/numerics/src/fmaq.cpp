// FMAq: one exact product rounded once, one exact sum rounded once.
#include "lbasim/numerics/fmaq.h"

#include "lbasim/numerics/quantize.h"

namespace lbasim::num {

FmaqResult fmaq(double acc, double a, double w, const Format& product, const Format& accumulator) {
  const Quantized p = mul_q(a, w, product);
  const Quantized s = add_q(acc, p.value, accumulator);
  return {s.value, p.value, p.events, s.events};
}

}  // namespace lbasim::num

// Random formats and W/A operands for the engine's property tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "lbasim/numerics/format.h"
#include "lbasim/numerics/scale.h"

namespace lbasim::num::test {

// Random operands of a W/A format with a power-of-two scale, some exact zeros and negatives.
inline std::vector<double> operand(std::mt19937_64& rng, std::int64_t count, const Format& wa,
                                   double std, bool relu) {
  std::normal_distribution<double> nd(0, std);
  std::bernoulli_distribution zero(0.1);
  std::vector<double> x(count);
  for (double& v : x) v = zero(rng) ? 0.0 : (relu ? std::fabs(nd(rng)) : nd(rng));
  quantize_scaled(x, choose_pow2_scale(x, wa), wa);
  return x;
}

inline Format random_format(std::mt19937_64& rng, int man_lo, int man_hi, int exp_lo, int exp_hi) {
  std::uniform_int_distribution<int> man(man_lo, man_hi), exp(exp_lo, exp_hi), coin(0, 1),
      bias_shift(-3, 3);
  Format f;
  f.man = man(rng);
  f.exp = exp(rng);
  f.bias = default_bias(f.exp) + bias_shift(rng);
  f.rounding = coin(rng) ? Rounding::rne : Rounding::rtz;
  f.underflow = coin(rng) ? Underflow::subnormal : Underflow::flush;
  f.overflow = Overflow::saturate;
  if (f.exp >= 2 && coin(rng)) {
    f.specials = Specials::ieee;
    f.overflow = coin(rng) ? Overflow::inf : Overflow::saturate;
  }
  validate(f);
  return f;
}

}  // namespace lbasim::num::test

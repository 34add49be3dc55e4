// Random formats and W/A operands for the engine's property tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "lbasim/numerics/accumulate.h"
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

// Random stages for trial `trial` of the FastFmaq tests: odd trials wide formats (sums and
// products rounded to odd), every third trial a chunk accumulator of its own; chunk 0.
inline AccumConfig random_stages(std::mt19937_64& rng, int trial) {
  const bool wide = trial % 2 == 1;
  AccumConfig cfg{wide ? random_format(rng, 1, 50, 5, 10) : random_format(rng, 1, 10, 3, 5),
                  wide ? random_format(rng, 1, 50, 6, 10) : random_format(rng, 1, 12, 3, 5),
                  {},
                  0};
  cfg.chunk_accumulator = trial % 3 == 0 ? random_format(rng, 1, 14, 3, 8) : cfg.accumulator;
  return cfg;
}

// The W/A formats those trials draw operands from, in turn.
inline const Format& trial_operand_format(int trial) {
  static const Format was[] = {parse_format("M4E3"), parse_format("M10E5"), parse_format("M23E8"),
                               parse_format("M40E9")};
  return was[trial % 4];
}

}  // namespace lbasim::num::test

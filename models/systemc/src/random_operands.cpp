#include "lbasim/systemc/random_operands.h"

#include <random>

#include "lbasim/numerics/quantize.h"

namespace lbasim::sysc {

std::vector<double> random_operand(std::int64_t count, const num::Format& f, std::uint64_t seed,
                                   double sigma) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, sigma);
  std::vector<double> v(static_cast<std::size_t>(count));
  for (double& x : v) x = num::quantize(normal(gen), f).value;
  return v;
}

}  // namespace lbasim::sysc

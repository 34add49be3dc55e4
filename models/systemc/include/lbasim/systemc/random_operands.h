// Reproducible stimulus: normal samples quantized into a W/A format (FP8 M4E3 by default).
#pragma once

#include <cstdint>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::sysc {

// `count` values Q_f(sigma * x), x ~ N(0, 1) from a generator seeded with `seed`.
std::vector<double> random_operand(std::int64_t count, const num::Format& f, std::uint64_t seed,
                                   double sigma = 1.0);

}  // namespace lbasim::sysc

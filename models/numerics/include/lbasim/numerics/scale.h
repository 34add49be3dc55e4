// W/A quantization with per-tensor power-of-two scales (numerics contract, section 5).
#pragma once

#include <span>

#include "lbasim/numerics/events.h"
#include "lbasim/numerics/format.h"

namespace lbasim::num {

// The smallest integer s with max|x| / 2^s <= f.max_value(), so the tensor's largest magnitude
// lands in the format's top binade without saturating. 0 for an all-zero tensor.
int choose_pow2_scale(std::span<const double> x, const Format& f);

// x <- 2^s * Q_f(x / 2^s), elementwise and exact (scaling by 2^s is exact in double).
EventCounts quantize_scaled(std::span<double> x, int s, const Format& f);

}  // namespace lbasim::num

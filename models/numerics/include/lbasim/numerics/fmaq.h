// The quantized FMA (numerics contract, section 2).
#pragma once

#include <cstdint>

#include "lbasim/numerics/format.h"

namespace lbasim::num {

struct FmaqResult {
  double acc;                  // Q_acc(Q_prod(a*w) + acc)
  double product;              // Q_prod(a*w)
  std::uint8_t prod_events;    // events of the product rounding
  std::uint8_t acc_events;     // events of the accumulator rounding (kSwamped included)
};

FmaqResult fmaq(double acc, double a, double w, const Format& product, const Format& accumulator);

}  // namespace lbasim::num

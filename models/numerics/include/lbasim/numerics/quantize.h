// Q_f: exact rounding of a real value into a format (numerics contract, section 1).
#pragma once

#include <cstdint>

#include "lbasim/numerics/format.h"

namespace lbasim::num {

struct Quantized {
  double value;
  std::uint8_t events;  // Event bits
};

// Q_f(x) for any double x. Infinity is an overflow: kept by ieee formats with overflow=inf
// (and by overflow=none), else +-max. NaN stays NaN where the format has NaN; for specials=none
// it is an InputError, as the format has no such value.
Quantized quantize(double x, const Format& f);

// Q_f(x + y) computed from the exact sum (one rounding, however far apart x and y are).
// Sets kSwamped when y != 0, x != 0 and the result equals x without overflow.
Quantized add_q(double x, double y, const Format& f);

// Q_f(a * w) computed from the exact product.
Quantized mul_q(double a, double w, const Format& f);

// True if x is a value of f (quantize(x, f) == x, no events).
bool is_member(double x, const Format& f);

}  // namespace lbasim::num

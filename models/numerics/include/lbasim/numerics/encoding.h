// Bit encoding sign|exponent|mantissa, the layout the RTL uses (docs/numerics.md).
#pragma once

#include <cstdint>

#include "lbasim/numerics/format.h"

namespace lbasim::num {

// Encodes a value of f (a member of the format, or inf/NaN where f has them). Throws
// InputError for a value that f cannot hold, or for formats with a `none` policy.
std::uint64_t encode(double v, const Format& f);

// Decodes any code of width f.width(). Under underflow=flush, exponent code 0 decodes to a
// signed zero whatever the mantissa (the hardware treats such codes as zero).
double decode(std::uint64_t code, const Format& f);

}  // namespace lbasim::num

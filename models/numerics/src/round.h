// The one rounding step: an exact value into a format (numerics contract, section 1).
#pragma once

#include "exact.h"
#include "lbasim/numerics/format.h"
#include "lbasim/numerics/quantize.h"

namespace lbasim::num::detail {

// Q_f of a finite exact value: underflow decided on the exact value, rounding at the value's
// own binade (or the subnormal binade), overflow applied to the rounded value.
Quantized round_exact(const Exact& x, const Format& f);

// Q_f of +-inf or NaN: NaN needs specials; inf is kept by ieee formats that do not saturate
// (and by overflow=none), otherwise saturated with an overflow event.
Quantized round_special(double x, const Format& f);

}  // namespace lbasim::num::detail

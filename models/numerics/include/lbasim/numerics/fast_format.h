// Constants that let the fast path apply Q_f with a few integer operations on the bits of an
// exact double (see docs/engine.md for the conditions under which this is exact).
#pragma once

#include <cstdint>

#include "lbasim/numerics/format.h"

namespace lbasim::num::engine {

struct FastFormat {
  std::int64_t trunc_mask;  // clears the double mantissa bits below M
  std::int64_t half_m1;     // 2^(51-M) - 1: rne increment without the tie bit
  std::int64_t shift;       // 52 - M: position of the last kept mantissa bit
  std::int64_t emin_bits;   // bits of 2^emin (smallest normal)
  std::int64_t max_bits;    // bits of max
  std::int64_t ovf_bits;    // what an overflow becomes: max, or inf (inf + rne)
  double emin_value;        // 2^emin
  bool rne;
  bool flush;      // else subnormal
  bool keeps_inf;  // inf stays inf (ieee, not saturating); else it saturates
};

FastFormat make_fast_format(const Format& f);

// Fast-path eligibility of one format: bounded (no `none` policy), 1 <= M <= 51 (M = 0 breaks
// the subnormal tie parity trick), every quantum a normal double.
bool fast_format_ok(const Format& f);

}  // namespace lbasim::num::engine

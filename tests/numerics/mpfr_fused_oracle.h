// The fused order of the numerics contract (section 7) on MPFR, independent of the golden
// model: every term is an exact MPFR value, the alignment is mpfr_trunc of the term scaled by
// 2^-(E-F), the sum is exact at high precision, and the rounding is the oracle's Q_f.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "lbasim/numerics/format.h"
#include "mpfr_oracle.h"

namespace lbasim::num::oracle {

// No exponent floor for an operand (its format not declared).
inline constexpr int kNoFloorOracle = std::numeric_limits<int>::min() / 4;

struct FusedSpec {
  int terms = 32;       // g
  int align_bits = 13;  // F
  Format accumulator;
  Format chunk_accumulator;
  std::int64_t chunk = 0;        // 0 or >= k: one chunk
  int floor_a = kNoFloorOracle;  // lower bound of e(a), or kNoFloorOracle
  int floor_w = kNoFloorOracle;
};

struct FusedDotResult {
  double value;
  Counts product, accumulator, chunk;  // accumulator.swamped includes the cut terms
  std::uint64_t align_inexact = 0;
};

FusedDotResult dot_fused(const std::vector<double>& a, const std::vector<double>& w,
                         const FusedSpec& spec);

}  // namespace lbasim::num::oracle

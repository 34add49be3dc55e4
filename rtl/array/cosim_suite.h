// The co-simulation's default workload (`lbasim cosim` without --gemm, the CI tests): GEMM
// shapes and chunk sizes that are ragged on small arrays, with reproducible random operands.
#pragma once

#include <cstdint>
#include <vector>

#include "cosim.h"

namespace lbasim::rtl {

struct CosimCase {
  std::int64_t m = 0, k = 0, n = 0;
  std::int64_t chunk = 0;
};

// Partial tiles in M, K and N on arrays of 3 to 5 rows and columns; chunk 0, 1, below, equal
// to, above and not dividing the rows, larger than K; M below and K below the rows (the
// double-buffered schedules' other bounds). 14,658 words in WS and 3,375 in OS on
// a 4 x 4 array.
const std::vector<CosimCase>& default_cosim_cases();
// The default cases for one array: with column-bottom chunk accumulators (chunk lane
// 'column'), each chunk size rounded up to a multiple of the rows x terms (the products of a
// K tile: 1..4 -> 4, 5..8 -> 8 on 4 FMAq rows; 0 stays), so chunks of one to several K tiles,
// ending at ragged K, are covered.
std::vector<CosimCase> default_cosim_cases(const ArrayParams& p);

// Operands ~ Q(2 N(0,1)) in the DUT's A and W formats (seeded; 2 sigma reaches saturation
// and cancellation), the case's chunk size, the DUT's formats.
CosimResult cosim_random(ArrayDutFactory make_dut, const CosimCase& c, std::uint64_t seed,
                         const CosimOptions& opt = {});

}  // namespace lbasim::rtl

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
// to, above and not dividing the rows, larger than K. 14,505 words in WS and 3,222 in OS on
// a 4 x 4 array.
const std::vector<CosimCase>& default_cosim_cases();

// Operands ~ Q(2 N(0,1)) in the DUT's A and W formats (seeded; 2 sigma reaches saturation
// and cancellation), the case's chunk size, the DUT's formats.
CosimResult cosim_random(ArrayDutFactory make_dut, const CosimCase& c, std::uint64_t seed,
                         const CosimOptions& opt = {});

}  // namespace lbasim::rtl

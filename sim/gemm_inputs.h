// Reading and checking the operands and config of a GEMM given on the command line.
#pragma once

#include <cstdint>
#include <string>

#include "lbasim/base/npy.h"
#include "lbasim/numerics/accumulate.h"

namespace lbasim::cli {

// The accumulation config from a JSON file; errors name the file and the key.
num::AccumConfig read_accum_config(const std::string& path);

struct GemmOperands {
  npy::Array a, b;
  std::int64_t m = 0, k = 0, n = 0;
};

// A (M x K) and B (K x N) as float .npy; checks shapes agree and that non-finite values only
// appear where the product format can hold them. Errors name the file and the element.
GemmOperands read_gemm_operands(const std::string& a_path, const std::string& b_path,
                                const num::AccumConfig& cfg);

// Checks that every element of x is a value of `format` (the text of `option`; empty: nothing
// declared) and returns its exponent floor for the fused order (num::kNoFloor if none).
// Errors name the file, the element and the format.
int declare_operand_format(const npy::Array& x, const std::string& path, const std::string& option,
                           const std::string& format);

}  // namespace lbasim::cli

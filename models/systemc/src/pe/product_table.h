// Speed without a second arithmetic: W/A operands take few distinct values (FP8: at most
// 256), so the PE's product Q_prod(a*w) (the first step of fmaq) is looked up in a per-GEMM
// table filled by lbasim::num::mul_q. The sum step is always lbasim::num::add_q. When the
// operands have too many distinct values the table is off and the PE calls mul_q itself.
#pragma once

#include <cstdint>
#include <vector>

#include "lbasim/numerics/format.h"
#include "lbasim/numerics/quantize.h"
#include "lbasim/systemc/dataflow.h"

namespace lbasim::sysc::detail {

class ProductTable {
 public:
  void build(const GemmProblem& p, const num::Format& product);
  bool enabled() const { return enabled_; }
  // Index of A[i] / W[i] (row-major) among the distinct values; 0 when disabled.
  std::int32_t a_index(std::int64_t i) const { return enabled_ ? a_idx_[i] : 0; }
  std::int32_t w_index(std::int64_t i) const { return enabled_ ? w_idx_[i] : 0; }
  // Q_prod(a*w) for the indexed values (table on), or computed (table off).
  num::Quantized product(double a, std::int32_t ia, double w, std::int32_t iw) const {
    return enabled_ ? table_[static_cast<std::size_t>(ia) * w_count_ + iw]
                    : num::mul_q(a, w, product_);
  }

 private:
  bool enabled_ = false;
  num::Format product_;
  std::vector<std::int32_t> a_idx_, w_idx_;
  std::size_t w_count_ = 0;
  std::vector<num::Quantized> table_;
};

}  // namespace lbasim::sysc::detail

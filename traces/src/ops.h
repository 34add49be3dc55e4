// The non-GEMM ops of a trace graph on a batch [batch, per-sample shape...], in double: no
// rounding to any low-precision format (docs/traces.md, "What run computes"). Internal to the
// executor; GraphRunner dispatches here.
#pragma once

#include <vector>

#include "lbasim/traces/tensor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::traces::ops {

// relu, sigmoid, tanh, erf, sqrt, exp, neg, abs, reciprocal, clip, hardsigmoid, hardswish.
Tensor unary(const Op& op, const Tensor& x);
// add, sub, mul, div, pow: two tensors, or one and the op's constant, numpy broadcasting of the
// per-sample shapes.
Tensor binary(const Op& op, const std::vector<const Tensor*>& in);

// softmax, layernorm, reduce_mean, reduce_sum, reduce_max. Sums run in ascending index order.
Tensor softmax(const Op& op, const Tensor& x);
Tensor layernorm(const Op& op, const Tensor& x);
Tensor reduce(const Op& op, const Tensor& x);

// Data movement: exact.
Tensor reshape(const Op& op, const Tensor& x);  // also flatten
Tensor transpose(const Op& op, const Tensor& x);
Tensor concat(const Op& op, const std::vector<const Tensor*>& in);
Tensor slice(const Op& op, const Tensor& x);
Tensor pad(const Op& op, const Tensor& x);
Tensor gather(const Op& op, const Tensor& x);
Tensor constant(const Op& op, std::int64_t batch);

// maxpool, avgpool (window sums in (kh, kw) order, then one division), global_avgpool.
Tensor pool(const Op& op, const Tensor& x);
Tensor global_avgpool(const Tensor& x);

// Row-major strides of a shape.
std::vector<std::int64_t> strides_of(const std::vector<std::int64_t>& shape);

// Walks the indices of `shape` in C order, keeping one offset per operand: offset k starts at
// base[k] and moves by steps[k][d] along axis d (0 for a broadcast axis).
class Odometer {
 public:
  Odometer(std::vector<std::int64_t> shape, std::vector<std::vector<std::int64_t>> steps,
           std::vector<std::int64_t> base);
  void next();  // to the following index
  std::int64_t offset(std::size_t k) const { return off_[k]; }
  const std::vector<std::int64_t>& index() const { return idx_; }

 private:
  std::vector<std::int64_t> shape_, idx_, off_;
  std::vector<std::vector<std::int64_t>> steps_;
};

}  // namespace lbasim::traces::ops

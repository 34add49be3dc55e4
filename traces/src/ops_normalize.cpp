// Ops along axes: softmax, layer normalization, reductions. Every sum runs in ascending index
// order in double, so a PyTorch float64 evaluation that sums in the same order (tools/lba
// graph.py, exact mode) computes the same bits.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops.h"

namespace lbasim::traces::ops {

namespace {

// [outer, n, inner] around per-sample axis `axis` of a batched shape.
struct Around {
  std::int64_t outer = 1, n = 1, inner = 1;
};
Around around(const std::vector<std::int64_t>& shape, std::int64_t axis) {
  Around a;
  const auto ax = static_cast<std::size_t>(axis) + 1;
  for (std::size_t d = 0; d < ax; ++d) a.outer *= shape[d];
  a.n = shape[ax];
  for (std::size_t d = ax + 1; d < shape.size(); ++d) a.inner *= shape[d];
  return a;
}

}  // namespace

Tensor softmax(const Op& op, const Tensor& x) {
  // y_i = exp(x_i - max) / sum_j exp(x_j - max), the sum in ascending j.
  const Around a = around(x.shape, op.axis);
  Tensor y = x;
  for (std::int64_t o = 0; o < a.outer; ++o)
    for (std::int64_t in = 0; in < a.inner; ++in) {
      double* p = y.data.data() + o * a.n * a.inner + in;
      double m = -std::numeric_limits<double>::infinity();
      for (std::int64_t i = 0; i < a.n; ++i) m = std::max(m, p[i * a.inner]);
      double s = 0;
      for (std::int64_t i = 0; i < a.n; ++i) {
        p[i * a.inner] = std::exp(p[i * a.inner] - m);
        s += p[i * a.inner];
      }
      for (std::int64_t i = 0; i < a.n; ++i) p[i * a.inner] /= s;
    }
  return y;
}

Tensor layernorm(const Op& op, const Tensor& x) {
  // Over the axes from op.axis on: mean = sum / n, d = x - mean, var = sum(d * d) / n,
  // y = d / sqrt(var + epsilon) * weight + bias (ONNX LayerNormalization, biased variance).
  const auto ax = static_cast<std::size_t>(op.axis) + 1;
  std::int64_t outer = 1, n = 1;
  for (std::size_t d = 0; d < ax; ++d) outer *= x.shape[d];
  for (std::size_t d = ax; d < x.shape.size(); ++d) n *= x.shape[d];
  Tensor y = x;
  for (std::int64_t o = 0; o < outer; ++o) {
    double* p = y.data.data() + o * n;
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += p[i];
    const double mean = s / static_cast<double>(n);
    double ss = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      p[i] -= mean;
      ss += p[i] * p[i];
    }
    const double den = std::sqrt(ss / static_cast<double>(n) + op.epsilon);
    for (std::int64_t i = 0; i < n; ++i) p[i] = p[i] / den * op.weight[i] + op.bias[i];
  }
  return y;
}

Tensor reduce(const Op& op, const Tensor& x) {
  // Each output sums (or takes the max of) its inputs in ascending flat index (= ascending
  // reduced coordinates).
  std::vector<std::int64_t> out_shape{x.batch()};
  out_shape.insert(out_shape.end(), op.shape.begin(), op.shape.end());
  Tensor y = zeros(out_shape);
  const bool is_max = op.kind == OpKind::reduce_max;
  if (is_max) std::fill(y.data.begin(), y.data.end(), -std::numeric_limits<double>::infinity());
  // The output offset of an input index: the input's coordinates along kept axes.
  const std::size_t rank = x.shape.size();
  std::vector<std::int64_t> step(rank, 0);
  std::int64_t stride = 1, count = 1;
  for (std::size_t d = rank; d-- > 0;) {
    const bool reduced = d > 0 && std::find(op.axes.begin(), op.axes.end(),
                                            static_cast<std::int64_t>(d) - 1) != op.axes.end();
    if (reduced) {
      count *= x.shape[d];
    } else {
      step[d] = stride;
      stride *= x.shape[d];
    }
  }
  Odometer at(x.shape, {step}, {0});
  for (std::size_t i = 0; i < x.data.size(); ++i, at.next()) {
    double& out = y.data[at.offset(0)];
    out = is_max ? std::max(out, x.data[i]) : out + x.data[i];
  }
  if (op.kind == OpKind::reduce_mean)
    for (auto& v : y.data) v /= static_cast<double>(count);
  return y;
}

}  // namespace lbasim::traces::ops

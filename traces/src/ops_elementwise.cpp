// Elementwise ops of a trace graph, in double (libm's functions for the transcendental ones).
#include <algorithm>
#include <cmath>

#include "ops.h"

namespace lbasim::traces::ops {

std::vector<std::int64_t> strides_of(const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> s(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

Odometer::Odometer(std::vector<std::int64_t> shape, std::vector<std::vector<std::int64_t>> steps,
                   std::vector<std::int64_t> base)
    : shape_(std::move(shape)),
      idx_(shape_.size(), 0),
      off_(std::move(base)),
      steps_(std::move(steps)) {}

void Odometer::next() {
  for (std::size_t d = shape_.size(); d-- > 0;) {
    if (++idx_[d] < shape_[d]) {
      for (std::size_t k = 0; k < off_.size(); ++k) off_[k] += steps_[k][d];
      return;
    }
    for (std::size_t k = 0; k < off_.size(); ++k) off_[k] -= steps_[k][d] * (shape_[d] - 1);
    idx_[d] = 0;
  }
}

namespace {

double hardsigmoid(double x, double alpha, double beta) {
  return std::max(0.0, std::min(1.0, alpha * x + beta));
}

template <typename F>
Tensor map(const Tensor& x, F f) {
  Tensor y = x;
  for (auto& v : y.data) v = f(v);
  return y;
}

double apply(OpKind k, double a, double b) {
  switch (k) {
    case OpKind::add:
      return a + b;
    case OpKind::sub:
      return a - b;
    case OpKind::mul:
      return a * b;
    case OpKind::div:
      return a / b;
    default:  // pow
      return std::pow(a, b);
  }
}

// A's or B's strides over the output's batched shape: 0 along broadcast (size-1 or missing)
// axes. `shape` is the operand's batched shape, right-aligned to the output's per-sample axes
// with the batch (or 1 for a constant) at axis 0.
std::vector<std::int64_t> broadcast_strides(const std::vector<std::int64_t>& shape,
                                            const std::vector<std::int64_t>& out) {
  std::vector<std::int64_t> s(out.size(), 0);
  const auto own = strides_of(shape);
  s[0] = shape[0] == 1 ? 0 : own[0];
  const std::size_t lead = out.size() - shape.size();  // missing per-sample axes
  for (std::size_t i = 1; i < shape.size(); ++i) s[i + lead] = shape[i] == 1 ? 0 : own[i];
  return s;
}

}  // namespace

Tensor unary(const Op& op, const Tensor& x) {
  switch (op.kind) {
    case OpKind::relu:
      return map(x, [](double v) { return v > 0 ? v : 0.0; });
    case OpKind::sigmoid:
      return map(x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
    case OpKind::tanh:
      return map(x, [](double v) { return std::tanh(v); });
    case OpKind::erf:
      return map(x, [](double v) { return std::erf(v); });
    case OpKind::sqrt:
      return map(x, [](double v) { return std::sqrt(v); });
    case OpKind::exp:
      return map(x, [](double v) { return std::exp(v); });
    case OpKind::neg:
      return map(x, [](double v) { return -v; });
    case OpKind::abs:
      return map(x, [](double v) { return std::fabs(v); });
    case OpKind::reciprocal:
      return map(x, [](double v) { return 1.0 / v; });
    case OpKind::clip:
      return map(x, [&](double v) { return std::min(std::max(v, op.lo), op.hi); });
    case OpKind::hardsigmoid:
      return map(x, [&](double v) { return hardsigmoid(v, op.alpha, op.beta); });
    case OpKind::hardswish:  // ONNX HardSwish: x * HardSigmoid(x; 1/6, 1/2)
      return map(x, [](double v) { return v * hardsigmoid(v, 1.0 / 6.0, 0.5); });
    default:
      return x;  // not reached: the executor dispatches only these kinds here
  }
}

Tensor binary(const Op& op, const std::vector<const Tensor*>& in) {
  const std::int64_t batch = in[0]->batch();
  // Operands as batched shapes: a constant has no batch (size 1 along axis 0).
  std::vector<std::int64_t> sa = in[0]->shape, sb;
  const double *pa = in[0]->data.data(), *pb = nullptr;
  if (op.constant) {
    sb = {1};
    sb.insert(sb.end(), op.constant->shape.begin(), op.constant->shape.end());
    pb = op.constant->values.data();
  } else {
    sb = in[1]->shape;
    pb = in[1]->data.data();
  }
  if (op.constant && op.constant_position == 0) {
    std::swap(sa, sb);
    std::swap(pa, pb);
  }
  Tensor y;
  y.shape = {batch};
  y.shape.insert(y.shape.end(), op.shape.begin(), op.shape.end());
  std::int64_t n = 1;
  for (auto d : y.shape) n *= d;
  y.data.resize(static_cast<std::size_t>(n));
  if (sa == y.shape && sb == y.shape) {  // the common case: equal shapes
    for (std::int64_t i = 0; i < n; ++i) y.data[i] = apply(op.kind, pa[i], pb[i]);
    return y;
  }
  Odometer at(y.shape, {broadcast_strides(sa, y.shape), broadcast_strides(sb, y.shape)}, {0, 0});
  for (std::int64_t i = 0; i < n; ++i, at.next())
    y.data[i] = apply(op.kind, pa[at.offset(0)], pb[at.offset(1)]);
  return y;
}

}  // namespace lbasim::traces::ops

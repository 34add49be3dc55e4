// Data-movement ops of a trace graph: they copy values, so they are exact.
#include <algorithm>

#include "ops.h"

namespace lbasim::traces::ops {

namespace {

// [batch, shape...]
std::vector<std::int64_t> batched(std::int64_t batch, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> s{batch};
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

// y[i] = x[offset(i)] where offset moves by `step[d]` along output axis d (an odometer over
// y's batched shape); `base` is the offset of y's first element.
Tensor strided_copy(const Tensor& x, std::vector<std::int64_t> shape,
                    const std::vector<std::int64_t>& step, std::int64_t base) {
  Tensor y = zeros(std::move(shape));
  Odometer at(y.shape, {step}, {base});
  for (std::size_t i = 0; i < y.data.size(); ++i, at.next()) y.data[i] = x.data[at.offset(0)];
  return y;
}

// Source index along one axis of size n for padded position p (begin padding b), or -1 where
// a constant pad value goes.
std::int64_t pad_source(std::int64_t p, std::int64_t b, std::int64_t n, PadMode mode) {
  std::int64_t i = p - b;
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::constant:
      return -1;
    case PadMode::edge:
      return i < 0 ? 0 : n - 1;
    case PadMode::reflect:  // mirror without repeating the edge; pads < n (reader)
      return i < 0 ? -i : 2 * (n - 1) - i;
  }
  return -1;
}

}  // namespace

Tensor reshape(const Op& op, const Tensor& x) {
  Tensor y = x;
  y.shape = batched(x.batch(), op.shape);
  return y;
}

Tensor transpose(const Op& op, const Tensor& x) {
  const auto in_strides = strides_of(x.shape);
  std::vector<std::int64_t> step{in_strides[0]};
  for (auto a : op.perm) step.push_back(in_strides[a + 1]);
  return strided_copy(x, batched(x.batch(), op.shape), step, 0);
}

Tensor slice(const Op& op, const Tensor& x) {
  const auto in_strides = strides_of(x.shape);
  std::vector<std::int64_t> step{in_strides[0]};
  std::int64_t base = 0;
  for (std::size_t d = 0; d < op.starts.size(); ++d) {
    step.push_back(op.steps[d] * in_strides[d + 1]);
    base += op.starts[d] * in_strides[d + 1];
  }
  return strided_copy(x, batched(x.batch(), op.shape), step, base);
}

Tensor gather(const Op& op, const Tensor& x) {
  const std::size_t axis = static_cast<std::size_t>(op.axis) + 1;
  std::int64_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= x.shape[d];
  for (std::size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  const std::int64_t n = x.shape[axis];
  Tensor y = zeros(batched(x.batch(), op.shape));
  double* out = y.data.data();
  for (std::int64_t o = 0; o < outer; ++o)
    for (auto idx : op.indices) {
      const double* src = x.data.data() + (o * n + idx) * inner;
      out = std::copy(src, src + inner, out);
    }
  return y;
}

Tensor concat(const Op& op, const std::vector<const Tensor*>& in) {
  const std::size_t axis = static_cast<std::size_t>(op.axis) + 1;
  Tensor y = zeros(batched(in[0]->batch(), op.shape));
  std::int64_t outer = 1, inner = 1;
  for (std::size_t d = 0; d < axis; ++d) outer *= y.shape[d];
  for (std::size_t d = axis + 1; d < y.shape.size(); ++d) inner *= y.shape[d];
  double* out = y.data.data();
  for (std::int64_t o = 0; o < outer; ++o)
    for (const Tensor* t : in) {
      const std::int64_t block = t->shape[axis] * inner;
      const double* src = t->data.data() + o * block;
      out = std::copy(src, src + block, out);
    }
  return y;
}

Tensor pad(const Op& op, const Tensor& x) {
  Tensor y = zeros(batched(x.batch(), op.shape));
  const auto in_strides = strides_of(x.shape);
  const std::size_t rank = op.shape.size();
  Odometer at(y.shape, {}, {});
  for (std::size_t i = 0; i < y.data.size(); ++i, at.next()) {
    const auto& idx = at.index();
    std::int64_t off = idx[0] * in_strides[0];
    bool inside = true;
    for (std::size_t d = 0; d < rank && inside; ++d) {
      const std::int64_t s = pad_source(idx[d + 1], op.pads[d], x.shape[d + 1], op.pad_mode);
      inside = s >= 0;
      off += s * in_strides[d + 1];
    }
    y.data[i] = inside ? x.data[off] : op.pad_value;
  }
  return y;
}

Tensor constant(const Op& op, std::int64_t batch) {
  Tensor y = zeros(batched(batch, op.shape));
  const auto& v = op.constant->values;
  for (std::int64_t b = 0; b < batch; ++b)
    std::copy(v.begin(), v.end(), y.data.begin() + b * static_cast<std::int64_t>(v.size()));
  return y;
}

}  // namespace lbasim::traces::ops

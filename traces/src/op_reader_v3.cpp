// The version-3 ops of a manifest: fields, checks and output shapes (docs/traces.md).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>

#include "op_reader.h"

namespace lbasim::traces::detail {

std::int64_t checked_elements(const Field& f, const std::vector<std::int64_t>& shape) {
  std::int64_t p = 1;
  for (auto d : shape) {
    if (d < 0 || (d > 0 && p > kMaxElements / d))
      f.fail(fmt::format("shape [{}] has more than {} elements per sample", fmt::join(shape, ", "),
                         kMaxElements));
    p *= d;
  }
  return p;
}

std::vector<std::int64_t> broadcast_shapes(const Field& f, const std::vector<std::int64_t>& a,
                                           const std::vector<std::int64_t>& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  std::vector<std::int64_t> out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      f.fail(fmt::format("shapes [{}] and [{}] do not broadcast (numpy rules)", fmt::join(a, ", "),
                         fmt::join(b, ", ")));
    out[i] = std::max(da, db);
  }
  return out;
}

std::pair<std::size_t, std::size_t> v3_arity(OpKind kind, bool has_constant) {
  switch (kind) {
    case OpKind::matmul:
      return {2, 2};
    case OpKind::add:
    case OpKind::sub:
    case OpKind::mul:
    case OpKind::div:
    case OpKind::pow:
      return has_constant ? std::pair<std::size_t, std::size_t>{1, 1}
                          : std::pair<std::size_t, std::size_t>{2, 2};
    case OpKind::concat:
      return {1, 1024};
    case OpKind::constant:
      return {0, 0};
    default:
      return {1, 1};
  }
}

namespace {

// An axis of a rank-`rank` tensor: 0..rank-1.
std::int64_t read_axis(const Field& f, std::size_t rank) {
  const std::int64_t a = f.integer(0);
  if (a >= static_cast<std::int64_t>(rank))
    f.fail(
        fmt::format("{} is not an axis of a rank-{} tensor; expected 0..{} (per sample, the "
                    "batch is not an axis)",
                    a, rank, static_cast<std::int64_t>(rank) - 1));
  return a;
}

std::vector<std::int64_t> read_matmul(const Field& f, Op& op, const Shapes& in) {
  const auto &a = in[0], &b = in[1];
  if (a.size() < 2 || b.size() < 2)
    f.at("inputs").fail(
        fmt::format("shapes [{}] and [{}]; matmul needs rank >= 2 per sample "
                    "([..., M, K] x [..., K, N])",
                    fmt::join(a, ", "), fmt::join(b, ", ")));
  const std::int64_t k = a.back(), k2 = b[b.size() - 2];
  if (k != k2)
    f.at("inputs").fail(fmt::format("shapes [{}] and [{}]: K {} and {} differ", fmt::join(a, ", "),
                                    fmt::join(b, ", "), k, k2));
  const std::vector<std::int64_t> la(a.begin(), a.end() - 2), lb(b.begin(), b.end() - 2);
  std::vector<std::int64_t> out = broadcast_shapes(f.at("inputs"), la, lb);
  out.push_back(a[a.size() - 2]);
  out.push_back(b.back());
  op.in_channels = k;
  op.out_channels = b.back();
  if (f.has("quant")) {
    const Field q = f.at("quant");
    op.quant = LayerQuant{read_operand_quant(q.at("a"), 0), read_operand_quant(q.at("b"), 0)};
  }
  return out;
}

std::vector<std::int64_t> read_binary(const Field& f, Op& op, const Shapes& in,
                                      TensorLoader& loader) {
  if (!f.has("constant")) return broadcast_shapes(f.at("inputs"), in[0], in[1]);
  const Field c = f.at("constant");
  const auto shape = c.at("shape").ints(1);
  checked_elements(c.at("shape"), shape);
  ConstTensor t{shape, loader.load(c.at("value"), npy::DType::f32, shape).values};
  const std::int64_t pos = c.at("position").integer(0);
  if (pos > 1)
    c.at("position").fail(fmt::format("{}; expected 0 (left operand) or 1 (right)", pos));
  op.constant_position = static_cast<int>(pos);
  auto out = broadcast_shapes(c, in[0], shape);
  op.constant = std::move(t);
  return out;
}

std::vector<std::int64_t> read_slice(const Field& f, Op& op, const std::vector<std::int64_t>& x,
                                     const std::vector<std::int64_t>& counts) {
  op.starts = f.at("starts").ints(0, x.size());
  const Field st = f.at("steps");
  if (!st.value().is_array() || st.size() != x.size())
    st.fail(
        fmt::format("{}; expected {} integers (one step per axis)", st.value().dump(), x.size()));
  if (counts.size() != x.size())
    f.at("shape").fail(
        fmt::format("rank {}; a slice keeps the input's rank {}", counts.size(), x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::int64_t step = st.at(i).integer(std::numeric_limits<std::int64_t>::min());
    if (step == 0 || step > x[i] || step < -x[i])
      st.at(i).fail(fmt::format("{}; expected a non-zero step with |step| <= {}", step, x[i]));
    op.steps.push_back(step);
    const std::int64_t first = op.starts[i], last = first + (counts[i] - 1) * step;
    if (first >= x[i] || counts[i] > x[i] || last < 0 || last >= x[i])
      f.fail(fmt::format("axis {}: start {}, step {}, {} elements leave 0..{}", i, first, step,
                         counts[i], x[i] - 1));
  }
  return counts;
}

std::vector<std::int64_t> read_pad(const Field& f, Op& op, const std::vector<std::int64_t>& x) {
  op.pads = f.at("pads").ints(0, 2 * x.size());
  const std::string mode = f.at("mode").str();
  if (mode == "constant")
    op.pad_mode = PadMode::constant;
  else if (mode == "reflect")
    op.pad_mode = PadMode::reflect;
  else if (mode == "edge")
    op.pad_mode = PadMode::edge;
  else
    f.at("mode").fail(fmt::format("\"{}\"; expected \"constant\", \"reflect\" or \"edge\"", mode));
  if (op.pad_mode == PadMode::constant) op.pad_value = f.at("value").number();
  std::vector<std::int64_t> out = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::int64_t b = op.pads[i], e = op.pads[i + x.size()];
    // reflect mirrors without repeating the edge: at most dim - 1 on each side
    if (op.pad_mode == PadMode::reflect && (b >= x[i] || e >= x[i]))
      f.at("pads").fail(
          fmt::format("axis {}: pads {}, {} on a dimension of {}; reflect needs "
                      "pads below the dimension",
                      i, b, e, x[i]));
    if (b > kMaxElements || e > kMaxElements)
      f.at("pads").fail(fmt::format("axis {}: pads {}, {} are out of range", i, b, e));
    out[i] = x[i] + b + e;
  }
  return out;
}

std::vector<std::int64_t> read_gather(const Field& f, Op& op, const std::vector<std::int64_t>& x) {
  if (x.empty()) f.at("inputs").fail("input of rank 0; gather needs an axis");
  op.axis = read_axis(f.at("axis"), x.size());
  op.indices_shape = f.at("indices_shape").ints(1);
  const Field ind = f.at("indices");
  const std::int64_t n = checked_elements(f.at("indices_shape"), op.indices_shape);
  if (!ind.value().is_array() || static_cast<std::int64_t>(ind.size()) != n)
    ind.fail(fmt::format("expected {} indices (indices_shape [{}])", n,
                         fmt::join(op.indices_shape, ", ")));
  op.indices = ind.ints(0);
  for (std::size_t i = 0; i < op.indices.size(); ++i)
    if (op.indices[i] >= x[op.axis])
      ind.at(i).fail(fmt::format("{} is out of range; expected 0..{} (axis {} of [{}])",
                                 op.indices[i], x[op.axis] - 1, op.axis, fmt::join(x, ", ")));
  std::vector<std::int64_t> out(x.begin(), x.begin() + op.axis);
  out.insert(out.end(), op.indices_shape.begin(), op.indices_shape.end());
  out.insert(out.end(), x.begin() + op.axis + 1, x.end());
  return out;
}

std::vector<std::int64_t> read_reduce(const Field& f, Op& op, const std::vector<std::int64_t>& x) {
  const Field axes = f.at("axes");
  op.axes = axes.ints(0);
  if (op.axes.empty()) axes.fail("is empty; expected the axes to reduce");
  for (std::size_t i = 0; i < op.axes.size(); ++i) {
    read_axis(axes.at(i), x.size());
    if (i > 0 && op.axes[i] <= op.axes[i - 1])
      axes.fail(fmt::format("{}; expected distinct axes in ascending order", axes.value().dump()));
  }
  op.keepdims = f.at("keepdims").boolean();
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const bool reduced =
        std::find(op.axes.begin(), op.axes.end(), static_cast<std::int64_t>(i)) != op.axes.end();
    if (!reduced)
      out.push_back(x[i]);
    else if (op.keepdims)
      out.push_back(1);
  }
  return out;
}

std::vector<std::int64_t> read_concat(const Field& f, Op& op, const Shapes& in) {
  const auto& x = in[0];
  if (x.empty()) f.at("inputs").fail("inputs of rank 0; concat needs an axis");
  op.axis = read_axis(f.at("axis"), x.size());
  std::vector<std::int64_t> out = x;
  for (std::size_t i = 1; i < in.size(); ++i) {
    bool ok = in[i].size() == x.size();
    for (std::size_t d = 0; ok && d < x.size(); ++d)
      ok = static_cast<std::int64_t>(d) == op.axis || in[i][d] == x[d];
    if (!ok)
      f.at("inputs").fail(
          fmt::format("input {} has shape [{}], input 0 [{}]; concat along axis "
                      "{} needs the other dimensions equal",
                      i, fmt::join(in[i], ", "), fmt::join(x, ", "), op.axis));
    out[op.axis] += in[i][op.axis];
  }
  return out;
}

std::vector<std::int64_t> read_layernorm(const Field& f, Op& op, const std::vector<std::int64_t>& x,
                                         TensorLoader& loader) {
  if (x.empty()) f.at("inputs").fail("input of rank 0; layernorm needs an axis");
  op.axis = read_axis(f.at("axis"), x.size());
  op.epsilon = f.at("epsilon").number();
  if (!(op.epsilon >= 0)) f.at("epsilon").fail(fmt::format("{}; expected >= 0", op.epsilon));
  const std::vector<std::int64_t> norm(x.begin() + op.axis, x.end());
  op.weight = loader.load(f.at("weight"), npy::DType::f32, norm).values;
  op.bias = loader.load(f.at("bias"), npy::DType::f32, norm).values;
  return x;
}

}  // namespace

std::vector<std::int64_t> read_v3_op(const Field& f, Op& op, const Shapes& in,
                                     const std::vector<std::int64_t>& declared,
                                     TensorLoader& loader) {
  const std::vector<std::int64_t> x = in.empty() ? std::vector<std::int64_t>{} : in[0];
  switch (op.kind) {
    case OpKind::matmul:
      return read_matmul(f, op, in);
    case OpKind::clip:
      op.lo = f.has("min") ? f.at("min").number() : -std::numeric_limits<double>::infinity();
      op.hi = f.has("max") ? f.at("max").number() : std::numeric_limits<double>::infinity();
      if (op.lo > op.hi) f.fail(fmt::format("min {} > max {}", op.lo, op.hi));
      return x;
    case OpKind::hardsigmoid:
      op.alpha = f.at("alpha").number();
      op.beta = f.at("beta").number();
      return x;
    case OpKind::add:
    case OpKind::sub:
    case OpKind::mul:
    case OpKind::div:
    case OpKind::pow:
      return read_binary(f, op, in, loader);
    case OpKind::softmax:
      if (x.empty()) f.at("inputs").fail("input of rank 0; softmax needs an axis");
      op.axis = read_axis(f.at("axis"), x.size());
      return x;
    case OpKind::layernorm:
      return read_layernorm(f, op, x, loader);
    case OpKind::reduce_mean:
    case OpKind::reduce_sum:
    case OpKind::reduce_max:
      return read_reduce(f, op, x);
    case OpKind::concat:
      return read_concat(f, op, in);
    case OpKind::slice:
      return read_slice(f, op, x, declared);
    case OpKind::transpose: {
      const Field p = f.at("perm");
      op.perm = p.ints(0, x.size());
      std::vector<std::int64_t> sorted = op.perm, out;
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != static_cast<std::int64_t>(i))
          p.fail(fmt::format("{} is not a permutation of 0..{}", p.value().dump(), x.size() - 1));
      for (auto a : op.perm) out.push_back(x[a]);
      return out;
    }
    case OpKind::reshape:
      if (checked_elements(f.at("shape"), declared) != product(x))
        f.at("shape").fail(fmt::format("[{}] has {} elements, the input [{}] {}",
                                       fmt::join(declared, ", "), product(declared),
                                       fmt::join(x, ", "), product(x)));
      return declared;
    case OpKind::pad:
      return read_pad(f, op, x);
    case OpKind::gather:
      return read_gather(f, op, x);
    case OpKind::constant: {
      checked_elements(f.at("shape"), declared);
      op.constant =
          ConstTensor{declared, loader.load(f.at("value"), npy::DType::f32, declared).values};
      return declared;
    }
    default:  // the other elementwise ops: no fields
      return x;
  }
}

}  // namespace lbasim::traces::detail

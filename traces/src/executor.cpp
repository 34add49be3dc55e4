#include "lbasim/traces/executor.h"

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>

#include "lbasim/numerics/scale.h"
#include "lbasim/traces/lowering.h"
#include "ops.h"

namespace lbasim::traces {

LayerEvents& LayerEvents::operator+=(const LayerEvents& o) {
  gemm += o.gemm;
  input_quant += o.input_quant;
  weight_quant += o.weight_quant;
  return *this;
}

namespace {

// Exponent floors of a quantized layer's operands, for the columns of group g (n per group).
num::OperandFloors layer_floors(const LayerQuant& q, std::int64_t n, std::int64_t g) {
  num::OperandFloors f;
  f.a = num::operand_floor(q.input.format, q.input.scale_exp[0]);
  if (q.weight.format.underflow != num::Underflow::subnormal) return f;
  if (q.weight.scale_exp.size() == 1) {
    f.w = {num::operand_floor(q.weight.format, q.weight.scale_exp[0])};
    return f;
  }
  for (std::int64_t j = 0; j < n; ++j)
    f.w.push_back(num::operand_floor(q.weight.format, q.weight.scale_exp[g * n + j]));
  return f;
}

}  // namespace

GraphRunner::GraphRunner(const Trace& trace, GemmSettings settings)
    : trace_(trace), settings_(std::move(settings)) {
  for (const auto& op : trace.graph) {
    if (!is_gemm(op.kind)) continue;
    layers_.push_back(&op);
    std::vector<double> weight = op.weight;
    num::EventCounts ev;
    if (op.kind != OpKind::matmul && !settings_.reference && settings_.wa_quant && op.quant) {
      const auto& q = op.quant->weight;
      const std::size_t per_channel = weight.size() / static_cast<std::size_t>(op.out_channels);
      for (std::int64_t co = 0; co < op.out_channels; ++co) {
        const int s = q.scale_exp.size() == 1 ? q.scale_exp[0] : q.scale_exp[co];
        ev += num::quantize_scaled(std::span<double>(weight.data() + co * per_channel, per_channel),
                                   s, q.format);
      }
    }
    weight_events_.push_back(ev);
    std::vector<std::vector<double>> groups;
    if (op.kind != OpKind::matmul)  // matmul's B is an activation: quantized per batch
      for (std::int64_t g = 0; g < op.groups; ++g) groups.push_back(lower_weight(op, weight, g));
    w_.push_back(std::move(groups));
    // A matmul has one group and per-tensor scales: its B floor is the tensor's.
    std::vector<num::OperandFloors> floors(static_cast<std::size_t>(op.groups));
    if (!settings_.reference && settings_.wa_quant && op.quant)
      for (std::int64_t g = 0; g < op.groups; ++g)
        floors[g] = layer_floors(*op.quant, op.gemm_n(), g);
    floors_.push_back(std::move(floors));
  }
}

Tensor GraphRunner::quantize_operand(const Op& op, const OperandQuant& q, const Tensor& x,
                                     num::EventCounts* events) const {
  Tensor out = x;
  if (!settings_.reference && settings_.wa_quant && op.quant) {
    const auto ev = num::quantize_scaled(out.data, q.scale_exp[0], q.format);
    if (events) *events += ev;
  }
  return out;
}

Tensor GraphRunner::quantize_input(std::size_t layer, const Tensor& x,
                                   num::EventCounts* events) const {
  const Op& op = *layers_[layer];
  if (!op.quant) return x;
  return quantize_operand(op, op.quant->input, x, events);
}

Tensor GraphRunner::run_layer(std::size_t layer, const Tensor& x_in, LayerEvents* events) const {
  return run_layer(layer, std::vector<const Tensor*>{&x_in}, events);
}

void GraphRunner::for_each_gemm(std::size_t layer, const std::vector<const Tensor*>& in,
                                LayerEvents* events, const GemmVisitor& visit) const {
  const Op& op = *layers_[layer];
  const Tensor a = quantize_input(layer, *in[0], events ? &events->input_quant : nullptr);
  const std::int64_t batch = a.batch(), k = op.gemm_k(), n = op.gemm_n();
  if (op.kind == OpKind::matmul) {
    // B is the second activation: quantized per batch, one GEMM per image and leading index.
    const Tensor b = op.quant ? quantize_operand(op, op.quant->weight, *in[1],
                                                 events ? &events->weight_quant : nullptr)
                              : *in[1];
    std::vector<double> a_mat, b_mat;
    for (std::int64_t i = 0; i < op.gemm_count() * batch; ++i) {
      matmul_operands(op, a, b, i, a_mat, b_mat);
      visit(LayerGemm{a_mat.data(), b_mat.data(), op.gemm_m(), k, n, 0, i});
    }
    return;
  }
  for (std::int64_t g = 0; g < op.groups; ++g) {
    const std::vector<double> a_mat = lower_input(op, a, g);
    visit(LayerGemm{a_mat.data(), w_[layer][g].data(), op.gemm_m() * batch, k, n, g, 0});
  }
}

Tensor GraphRunner::run_layer(std::size_t layer, const std::vector<const Tensor*>& in,
                              LayerEvents* events) const {
  const Op& op = *layers_[layer];
  const std::int64_t batch = in[0]->batch();
  Tensor y = zeros(batch_shape(batch, op.shape));
  num::StageCounts counts;
  std::vector<double> c;
  for_each_gemm(layer, in, events, [&](const LayerGemm& g) {
    if (op.kind == OpKind::matmul) {  // C lands in place: [image, leading..., M, N]
      run_gemm(g.a, g.w, y.data.data() + g.index * g.m * g.n, g.m, g.k, g.n, settings_, &counts,
               floors_[layer][g.group]);
      return;
    }
    c.resize(static_cast<std::size_t>(g.m * g.n));
    run_gemm(g.a, g.w, c.data(), g.m, g.k, g.n, settings_, &counts, floors_[layer][g.group]);
    scatter_output(op, c, g.group, y);
  });
  if (events) events->gemm += counts;
  if (op.kind == OpKind::matmul) return y;
  // Bias is added in double after the GEMM, outside the accumulator.
  if (op.kind == OpKind::linear) {  // channels last: [..., out]
    for (std::size_t i = 0; i < y.data.size(); ++i)
      y.data[i] += op.bias[i % static_cast<std::size_t>(op.out_channels)];
  } else {  // conv2d: [C_out, h, w]
    const std::int64_t pixels = y.per_sample() / op.out_channels;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t co = 0; co < op.out_channels; ++co) {
        double* p = y.data.data() + (b * op.out_channels + co) * pixels;
        for (std::int64_t i = 0; i < pixels; ++i) p[i] += op.bias[co];
      }
  }
  return y;
}

Tensor apply_pointwise_op(const Op& op, const std::vector<const Tensor*>& in) {
  const Tensor& x = in.empty() ? Tensor{} : *in[0];
  switch (op.kind) {
    case OpKind::flatten:
    case OpKind::reshape:
      return ops::reshape(op, x);
    case OpKind::maxpool:
    case OpKind::avgpool:
      return ops::pool(op, x);
    case OpKind::global_avgpool:
      return ops::global_avgpool(x);
    case OpKind::add:
    case OpKind::sub:
    case OpKind::mul:
    case OpKind::div:
    case OpKind::pow:
      return ops::binary(op, in);
    case OpKind::softmax:
      return ops::softmax(op, x);
    case OpKind::layernorm:
      return ops::layernorm(op, x);
    case OpKind::reduce_mean:
    case OpKind::reduce_sum:
    case OpKind::reduce_max:
      return ops::reduce(op, x);
    case OpKind::concat:
      return ops::concat(op, in);
    case OpKind::slice:
      return ops::slice(op, x);
    case OpKind::transpose:
      return ops::transpose(op, x);
    case OpKind::pad:
      return ops::pad(op, x);
    case OpKind::gather:
      return ops::gather(op, x);
    case OpKind::constant:
      throw std::logic_error("constant: GraphRunner::run materializes it for the batch");
    case OpKind::conv2d:
    case OpKind::linear:
    case OpKind::matmul:
      throw std::logic_error("GEMM ops go through GraphRunner::run_layer");
    default:
      return ops::unary(op, x);
  }
}

Tensor GraphRunner::run(const Tensor& input, std::vector<Tensor>* outputs,
                        std::vector<LayerEvents>* events) const {
  std::map<std::string, Tensor, std::less<>> env;
  env[trace_.input_tensor] = input;
  if (outputs) outputs->assign(layers_.size(), Tensor{});
  std::size_t layer = 0;
  for (const auto& op : trace_.graph) {
    std::vector<const Tensor*> ins;
    for (const auto& name : op.inputs) ins.push_back(&env.at(name));
    Tensor y;
    if (is_gemm(op.kind)) {
      y = run_layer(layer, ins, events ? &(*events)[layer] : nullptr);
      if (outputs) (*outputs)[layer] = y;
      ++layer;
    } else if (op.kind == OpKind::constant) {
      y = ops::constant(op, input.batch());
    } else {
      y = apply_pointwise_op(op, ins);
    }
    env[op.output] = std::move(y);
  }
  return std::move(env.at(trace_.output_tensor));
}

}  // namespace lbasim::traces

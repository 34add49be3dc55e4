#include "lbasim/traces/executor.h"

#include <algorithm>
#include <limits>
#include <map>
#include <span>

#include "lbasim/numerics/scale.h"
#include "lbasim/traces/lowering.h"

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
    if (!settings_.reference && settings_.wa_quant && op.quant) {
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
    std::vector<num::OperandFloors> floors(static_cast<std::size_t>(op.groups));
    for (std::int64_t g = 0; g < op.groups; ++g) {
      groups.push_back(lower_weight(op, weight, g));
      if (!settings_.reference && settings_.wa_quant && op.quant)
        floors[g] = layer_floors(*op.quant, op.out_channels / op.groups, g);
    }
    w_.push_back(std::move(groups));
    floors_.push_back(std::move(floors));
  }
}

Tensor GraphRunner::quantize_input(std::size_t layer, const Tensor& x,
                                   num::EventCounts* events) const {
  const Op& op = *layers_[layer];
  Tensor q = x;
  if (!settings_.reference && settings_.wa_quant && op.quant) {
    const auto ev =
        num::quantize_scaled(q.data, op.quant->input.scale_exp[0], op.quant->input.format);
    if (events) *events += ev;
  }
  return q;
}

void GraphRunner::for_each_gemm(std::size_t layer, const Tensor& xq,
                                const std::function<void(const LayerGemm&)>& f) const {
  const Op& op = *layers_[layer];
  const std::int64_t m = gemm_m(op, xq.batch());
  for (std::int64_t g = 0; g < op.groups; ++g) {
    const std::vector<double> a = lower_input(op, xq, g);
    f(LayerGemm{g, m, op.gemm_k(), op.gemm_n(), &a, &w_[layer][g]});
  }
}

Tensor GraphRunner::run_layer(std::size_t layer, const Tensor& x_in, LayerEvents* events) const {
  const Op& op = *layers_[layer];
  const Tensor quantized = quantize_input(layer, x_in, events ? &events->input_quant : nullptr);
  const std::int64_t batch = quantized.batch();
  Tensor y = zeros(batch_shape(batch, op.shape));
  std::vector<double> c(static_cast<std::size_t>(gemm_m(op, batch) * op.gemm_n()));
  num::StageCounts counts;
  for_each_gemm(layer, quantized, [&](const LayerGemm& g) {
    run_gemm(g.a->data(), g.w->data(), c.data(), g.m, g.k, g.n, settings_, &counts,
             floors_[layer][g.group]);
    scatter_output(op, c, g.group, y);
  });
  // Bias is added in double after the (rescaled) GEMM, outside the accumulator.
  const std::int64_t pixels = y.per_sample() / op.out_channels;
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t co = 0; co < op.out_channels; ++co) {
      double* p = y.data.data() + (b * op.out_channels + co) * pixels;
      for (std::int64_t i = 0; i < pixels; ++i) p[i] += op.bias[co];
    }
  if (events) events->gemm += counts;
  return y;
}

namespace {

Tensor pool(const Op& op, const Tensor& x, bool is_max) {
  const Window& w = op.window;
  const std::int64_t batch = x.batch(), ch = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const std::int64_t oh = op.shape[1], ow = op.shape[2];
  Tensor y = zeros(batch_shape(batch, op.shape));
  double* out = y.data.data();
  for (std::int64_t bc = 0; bc < batch * ch; ++bc) {
    const double* plane = x.data.data() + bc * h * wd;
    for (std::int64_t i = 0; i < oh; ++i)
      for (std::int64_t j = 0; j < ow; ++j, ++out) {
        double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
        std::int64_t inside_count = 0;
        for (std::int64_t di = 0; di < w.kh; ++di)
          for (std::int64_t dj = 0; dj < w.kw; ++dj) {
            const std::int64_t yi = i * w.stride_h - w.pad_h + di * w.dil_h;
            const std::int64_t xi = j * w.stride_w - w.pad_w + dj * w.dil_w;
            const bool inside = yi >= 0 && yi < h && xi >= 0 && xi < wd;
            if (!inside) continue;  // max pads with -inf, average counts the padding as zeros
            const double v = plane[yi * wd + xi];
            acc = is_max ? std::max(acc, v) : acc + v;
            ++inside_count;
          }
        // count_include_pad = false (version 2): the mean of the elements inside the input.
        // The reader ensures every window holds at least one of them.
        const std::int64_t divisor = op.count_include_pad ? w.kh * w.kw : inside_count;
        *out = is_max ? acc : acc / static_cast<double>(divisor);
      }
  }
  return y;
}

}  // namespace

Tensor apply_pointwise_op(const Op& op, const std::vector<const Tensor*>& in) {
  const Tensor& x = *in[0];
  switch (op.kind) {
    case OpKind::relu: {
      Tensor y = x;
      for (auto& v : y.data) v = v > 0 ? v : 0.0;
      return y;
    }
    case OpKind::add: {
      Tensor y = x;
      for (std::size_t i = 0; i < y.data.size(); ++i) y.data[i] += in[1]->data[i];
      return y;
    }
    case OpKind::flatten: {
      Tensor y = x;
      y.shape = {x.batch(), x.per_sample()};
      return y;
    }
    case OpKind::maxpool:
      return pool(op, x, true);
    case OpKind::avgpool:
      return pool(op, x, false);
    case OpKind::global_avgpool: {
      const std::int64_t ch = x.shape[1], pixels = x.shape[2] * x.shape[3];
      Tensor y = zeros({x.batch(), ch});
      for (std::int64_t bc = 0; bc < x.batch() * ch; ++bc) {
        double s = 0;
        for (std::int64_t p = 0; p < pixels; ++p) s += x.data[bc * pixels + p];
        y.data[bc] = s / static_cast<double>(pixels);
      }
      return y;
    }
    case OpKind::conv2d:
    case OpKind::linear:
      break;
  }
  return x;  // not reached: GEMM ops go through GraphRunner::run_layer
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
      y = run_layer(layer, *ins[0], events ? &(*events)[layer] : nullptr);
      if (outputs) (*outputs)[layer] = y;
      ++layer;
    } else {
      y = apply_pointwise_op(op, ins);
    }
    env[op.output] = std::move(y);
  }
  return std::move(env.at(trace_.output_tensor));
}

}  // namespace lbasim::traces

// Runs a trace's graph on a batch of images under one GemmSettings.
#pragma once

#include <functional>
#include <vector>

#include "lbasim/numerics/events.h"
#include "lbasim/traces/gemm_layer.h"
#include "lbasim/traces/tensor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::traces {

// Events of one conv/linear layer: the GEMM stages and the W/A quantizations.
struct LayerEvents {
  num::StageCounts gemm;
  num::EventCounts input_quant;   // activations entering the layer
  num::EventCounts weight_quant;  // weights (once per run, not per image)
  LayerEvents& operator+=(const LayerEvents& o);
};

// One GEMM of a conv/linear layer (one per group): C[m x n] = A[m x k] W[k x n], row-major.
struct LayerGemm {
  std::int64_t group = 0;
  std::int64_t m = 0, k = 0, n = 0;
  const std::vector<double>* a = nullptr;  // the lowered input
  const std::vector<double>* w = nullptr;  // weight_matrix(layer, group)
};

class GraphRunner {
 public:
  // Prepares every layer's W matrices (W/A-quantized if the settings say so) once.
  GraphRunner(const Trace& trace, GemmSettings settings);

  // The graph's output for a batch [batch, input shape...]. If outputs is not null it receives
  // the output (bias added) of every conv/linear layer, in graph order; events are added to
  // (*events)[layer index] when events is not null.
  Tensor run(const Tensor& input, std::vector<Tensor>* outputs,
             std::vector<LayerEvents>* events) const;

  // One conv/linear layer (index into gemm_layers()) on an input batch.
  Tensor run_layer(std::size_t layer, const Tensor& x, LayerEvents* events) const;

  const std::vector<const Op*>& gemm_layers() const { return layers_; }
  // Lowers layer `layer`'s input x (as quantize_input returns it) and calls f with each
  // group's GEMM in order: the one lowering that run_layer and the array model share.
  void for_each_gemm(std::size_t layer, const Tensor& xq,
                     const std::function<void(const LayerGemm&)>& f) const;
  // Layer `layer`'s weights as the GEMM sees them (W/A-quantized, lowered to K x N), group g.
  const std::vector<double>& weight_matrix(std::size_t layer, std::int64_t g) const {
    return w_[layer][g];
  }
  // The layer's input as its GEMM sees it (W/A-quantized per the manifest unless disabled).
  Tensor quantize_input(std::size_t layer, const Tensor& x, num::EventCounts* events) const;
  // The exponent floors of the layer's W/A formats (fused order), group g: none without W/A
  // quantization.
  const num::OperandFloors& operand_floors(std::size_t layer, std::int64_t g) const {
    return floors_[layer][g];
  }
  // Events of the weight quantization of each layer (done once, at construction).
  const std::vector<num::EventCounts>& weight_quant_events() const { return weight_events_; }

 private:
  const Trace& trace_;
  GemmSettings settings_;
  std::vector<const Op*> layers_;
  std::vector<std::vector<std::vector<double>>> w_;  // [layer][group] W [K x N]
  std::vector<num::EventCounts> weight_events_;
  std::vector<std::vector<num::OperandFloors>> floors_;  // [layer][group]
};

// Non-GEMM ops (exposed for tests).
Tensor apply_pointwise_op(const Op& op, const std::vector<const Tensor*>& inputs);

}  // namespace lbasim::traces

// Runs a trace's graph on a batch of images under one GemmSettings.
#pragma once

#include <functional>
#include <vector>

#include "lbasim/numerics/events.h"
#include "lbasim/traces/gemm_layer.h"
#include "lbasim/traces/tensor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::traces {

// Events of one GEMM layer: the GEMM stages and the W/A quantizations.
struct LayerEvents {
  num::StageCounts gemm;
  num::EventCounts input_quant;   // activations entering the layer (matmul: A)
  num::EventCounts weight_quant;  // weights (once per run, not per image); matmul: B per image
  LayerEvents& operator+=(const LayerEvents& o);
};

// One GEMM of a layer, C[m x n] = A[m x k] W[k x n] row-major, operands as the accumulator
// sees them (W/A-quantized per the settings). conv2d: one per group (rows: images, oh, ow);
// linear: one (rows: images, leading axes); matmul: one per image and leading index.
struct LayerGemm {
  const double* a;
  const double* w;
  std::int64_t m, k, n;
  std::int64_t group;  // conv2d group
  std::int64_t index;  // matmul: image * op.gemm_count() + leading index
};
using GemmVisitor = std::function<void(const LayerGemm&)>;

class GraphRunner {
 public:
  // Prepares every layer's W matrices (W/A-quantized if the settings say so) once.
  GraphRunner(const Trace& trace, GemmSettings settings);

  // The graph's output for a batch [batch, input shape...]. If outputs is not null it receives
  // the output (bias added) of every conv/linear layer, in graph order; events are added to
  // (*events)[layer index] when events is not null.
  Tensor run(const Tensor& input, std::vector<Tensor>* outputs,
             std::vector<LayerEvents>* events) const;

  // One GEMM layer (index into gemm_layers()) on its input batch: conv2d and linear take one
  // input, matmul two (A and B).
  Tensor run_layer(std::size_t layer, const std::vector<const Tensor*>& inputs,
                   LayerEvents* events) const;
  Tensor run_layer(std::size_t layer, const Tensor& x, LayerEvents* events) const;

  // The GEMMs run_layer computes for this input batch, in its order, each handed to `visit`
  // (e.g. to run it on the array model); W/A quantization events are added to *events.
  void for_each_gemm(std::size_t layer, const std::vector<const Tensor*>& inputs,
                     LayerEvents* events, const GemmVisitor& visit) const;

  const std::vector<const Op*>& gemm_layers() const { return layers_; }
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
  // Events of the weight quantization of each layer (done once, at construction; a matmul's
  // B is quantized per batch, its events go to LayerEvents::weight_quant of the run).
  const std::vector<num::EventCounts>& weight_quant_events() const { return weight_events_; }

 private:
  Tensor quantize_operand(const Op& op, const OperandQuant& q, const Tensor& x,
                          num::EventCounts* events) const;

  const Trace& trace_;
  GemmSettings settings_;
  std::vector<const Op*> layers_;
  std::vector<std::vector<std::vector<double>>> w_;  // [layer][group] W [K x N]; matmul: none
  std::vector<num::EventCounts> weight_events_;
  std::vector<std::vector<num::OperandFloors>> floors_;  // [layer][group]
};

// Non-GEMM ops except `constant` (exposed for tests).
Tensor apply_pointwise_op(const Op& op, const std::vector<const Tensor*>& inputs);

}  // namespace lbasim::traces

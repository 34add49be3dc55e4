// A trace (shared/spec/traces.md, fields in docs/traces.md): a network's graph, FP32 weights,
// W/A scales, evaluation inputs, captured layer activations and reference logits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lbasim/numerics/format.h"

namespace lbasim::traces {

inline constexpr const char* kTraceFormat = "lbasim-trace";
inline constexpr int kTraceVersion = 1;
// Version 2 adds optional fields (asymmetric pads, pool dilation, count_include_pad, outputs
// of any shape, optional labels and reference); version 3 adds the ops of today's CNNs and
// transformers (docs/traces.md). A manifest may use only what its version defines.
inline constexpr int kTraceVersionMax = 3;

enum class OpKind : std::uint8_t {
  // version 1
  conv2d,
  linear,
  relu,
  maxpool,
  avgpool,
  add,
  flatten,
  global_avgpool,
  // version 3: GEMM of two activations
  matmul,
  // version 3: elementwise, one input
  sigmoid,
  tanh,
  erf,
  sqrt,
  exp,
  neg,
  abs,
  reciprocal,
  clip,
  hardsigmoid,
  hardswish,
  // version 3: elementwise, two inputs (or one and a constant), numpy broadcasting
  sub,
  mul,
  div,
  pow,
  // version 3: along axes
  softmax,
  layernorm,
  reduce_mean,
  reduce_sum,
  reduce_max,
  // version 3: data movement
  concat,
  slice,
  transpose,
  reshape,
  pad,
  gather,
  constant,
};
std::string_view to_string(OpKind k);
bool is_gemm(OpKind k);    // conv2d, linear, matmul: run under the accumulator config
bool is_binary(OpKind k);  // add, sub, mul, div, pow

// W/A quantization of one operand: values become 2^s * Q_format(x / 2^s).
struct OperandQuant {
  num::Format format;
  std::vector<int> scale_exp;  // one per tensor, or (weights only) one per output channel
};

struct LayerQuant {
  OperandQuant input;
  OperandQuant weight;
};

// 2-D window geometry of conv2d and the pools: {height, width} pairs.
struct Window {
  std::int64_t kh = 1, kw = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;  // top and left padding (and bottom, right unless set)
  std::int64_t dil_h = 1, dil_w = 1;
  // Version 2 `pads`: bottom and right padding when they differ from top and left.
  std::optional<std::int64_t> pad_b{}, pad_r{};
  std::int64_t pad_bottom() const { return pad_b.value_or(pad_h); }
  std::int64_t pad_right() const { return pad_r.value_or(pad_w); }
};

// A constant tensor of the graph (version 3): a `constant` op's value, a binary op's constant
// operand. Broadcast over the images (it has no batch dimension).
struct ConstTensor {
  std::vector<std::int64_t> shape;
  std::vector<double> values;  // C order
};

enum class PadMode : std::uint8_t { constant, reflect, edge };

struct Op {
  OpKind kind = OpKind::relu;
  std::string name;
  std::vector<std::string> inputs;
  std::string output;
  std::vector<std::int64_t> shape;  // per-sample output shape, as the manifest states it
  Window window;                    // conv2d, maxpool, avgpool
  std::int64_t groups = 1;          // conv2d
  bool count_include_pad = true;    // avgpool: divide by the whole window, padding included
  std::int64_t in_channels = 0;     // conv2d: C_in; linear: in_features; matmul: K
  std::int64_t out_channels = 0;    // conv2d: C_out; linear: out_features; matmul: N
  std::vector<double> weight;       // conv2d [C_out, C_in/groups, kh, kw]; linear [out, in];
                                    // layernorm: the normalized shape
  std::vector<double> bias;         // [C_out]; layernorm: the normalized shape
  std::optional<LayerQuant> quant;  // conv2d, linear; matmul: input = A, weight = B
  bool ceil_mode = false;           // maxpool, avgpool (version 3)

  // Version 3 ops; axes are per-sample (0 = the first axis after the batch).
  std::vector<std::vector<std::int64_t>> input_shapes;  // per-sample shape of each input
  std::int64_t axis = 0;             // softmax, layernorm (first normalized axis), concat, gather
  std::vector<std::int64_t> axes;    // reduce_*: ascending
  bool keepdims = true;              // reduce_*
  std::vector<std::int64_t> perm;    // transpose
  std::vector<std::int64_t> starts;  // slice: first index per axis
  std::vector<std::int64_t> steps;   // slice: step per axis (non-zero)
  std::vector<std::int64_t> pads;    // pad: [begin per axis..., end per axis...]
  PadMode pad_mode = PadMode::constant;
  double pad_value = 0;
  double alpha = 0, beta = 0;  // hardsigmoid: max(0, min(1, alpha x + beta))
  double lo = 0, hi = 0;       // clip bounds (-inf / +inf when not given)
  double epsilon = 0;          // layernorm (weight, bias: the normalized shape)
  std::vector<std::int64_t> indices, indices_shape;  // gather
  std::optional<ConstTensor> constant;  // constant op: its value; binary op: one operand
  int constant_position = 1;            // binary op: the constant is operand 0 or 1

  // GEMM dimensions per image: K and N per group; M rows per GEMM (conv2d: out h*w; linear:
  // the product of the leading axes, 1 for a vector; matmul: A's rows); gemm_count GEMMs of
  // one image per group (matmul: one per index of the leading axes, else 1).
  std::int64_t gemm_k() const;
  std::int64_t gemm_n() const { return out_channels / groups; }
  std::int64_t gemm_m() const;
  std::int64_t gemm_count() const;
  std::int64_t macs_per_image() const;
};

// Captured input and FP32 output of one GEMM layer for the sample images (matmul: also B).
struct Capture {
  std::vector<std::int64_t> input_shape, output_shape, input_b_shape;  // [samples, ...]
  std::vector<double> input, output, input_b;
};

struct Trace {
  std::filesystem::path dir;
  std::string name;
  std::string description;
  std::string input_tensor;               // graph name of the network input
  std::vector<std::int64_t> input_shape;  // per sample
  std::string output_tensor;
  std::vector<std::int64_t> output_shape;  // per sample
  std::vector<Op> graph;
  int version = 1;

  std::int64_t count = 0;            // evaluation images
  std::vector<double> images;        // [count, input_shape...]
  std::vector<std::int64_t> labels;  // [count]; empty if the trace has none (version 2)
  std::int64_t classes = 0;          // output_shape[0] if the output is [classes], else 0
  // [count, output_shape...]; empty if the trace has none (version 2)
  std::vector<double> reference_logits;
  std::optional<double> fp32_top1_test;  // training.fp32_top1_test, if stated

  std::vector<std::int64_t> samples;  // image indices of the captures
  std::map<std::string, Capture> captures;

  std::int64_t sample_size() const;  // elements of one input image
  std::int64_t output_size() const;  // elements of one sample's output
  bool has_labels() const { return !labels.empty(); }
  const Op& layer(const std::string& name) const;  // a conv2d/linear op; InputError if none
};

// Reads and checks a whole trace. Every problem is an InputError naming the file and the field:
// unknown format/version/op, missing or unreadable files, dtype or shape that disagrees with the
// graph, non-finite weights, labels out of range.
Trace read_trace(const std::filesystem::path& dir);

}  // namespace lbasim::traces

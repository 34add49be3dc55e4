#include "lbasim/memory/network.h"

#include <numeric>

#include "lbasim/traces/trace.h"

namespace lbasim::memory {
namespace {

double elements(const std::vector<std::int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), 1.0,
                         [](double a, std::int64_t d) { return a * static_cast<double>(d); });
}

}  // namespace

Network network_from_trace(const traces::Trace& t, double bytes_per_element) {
  Network net;
  net.name = t.name;
  net.input = t.input_tensor;
  net.input_bytes = elements(t.input_shape) * bytes_per_element;
  net.output = t.output_tensor;
  for (const traces::Op& op : t.graph) {
    NetOp o;
    o.name = op.name;
    o.inputs = op.inputs;
    o.output = op.output;
    o.output_bytes = elements(op.shape) * bytes_per_element;
    if (traces::is_gemm(op.kind)) {
      o.gemm = true;
      o.m = op.kind == traces::OpKind::linear ? 1 : op.shape[1] * op.shape[2];
      o.k = op.gemm_k();
      o.n = op.gemm_n();
      o.groups = op.groups;
      o.weight_bytes = static_cast<double>(op.weight.size()) * bytes_per_element;
    }
    net.ops.push_back(std::move(o));
  }
  return net;
}

}  // namespace lbasim::memory

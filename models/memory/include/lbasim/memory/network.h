// What the memory model needs to know of a network: its operations in execution order, the
// tensors each reads and writes with their sizes, and the GEMM shape and weight size of every
// conv/linear layer. Built from a trace (network_from_trace) or by hand (tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lbasim::traces {
struct Trace;
}

namespace lbasim::memory {

// One operation of the graph for one image. GEMM layers (conv2d, linear) run on the array;
// the others (ReLU, pooling, residual add, flatten) run in the output pipeline beside it and
// only move tensors.
struct NetOp {
  std::string name;
  std::vector<std::string> inputs;  // tensor names read
  std::string output;               // tensor written
  double output_bytes = 0;
  bool gemm = false;
  // GEMM layers: C[m x n] = A[m x k] W[k x n] per group, and the weights' bytes (all groups).
  std::int64_t m = 0, k = 0, n = 0, groups = 1;
  double weight_bytes = 0;
};

struct Network {
  std::string name;
  std::string input;  // the graph's input tensor (read from DRAM)
  double input_bytes = 0;
  std::string output;  // the graph's output tensor (written to DRAM)
  std::vector<NetOp> ops;
};

// The trace's graph for one image, tensors and weights stored in `bytes_per_element` bytes
// each (the W/A format: 1 for FP8).
Network network_from_trace(const traces::Trace& t, double bytes_per_element = 1);

}  // namespace lbasim::memory

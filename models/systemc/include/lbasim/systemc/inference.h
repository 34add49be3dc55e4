// One inference of a trace's network on the array: every conv/linear layer's GEMMs (one per
// group), lowered exactly as the trace executor lowers them, run through the SystemC model.
#pragma once

#include <string>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_config.h"
#include "lbasim/systemc/array_stats.h"
#include "lbasim/traces/executor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::sysc {

// One GEMM of the inference on the array; grows with what callers report per layer.
struct LayerRun {
  std::string name;  // the op's name, "<name>/g<group>" for a grouped conv
  ArrayStats stats;
};

// Sample 0 of the trace's captured layer inputs, W/A-quantized as `runner` does, through the
// array, layer by layer in graph order. Throws InputError if a layer has no captured input.
std::vector<LayerRun> simulate_inference(const traces::Trace& trace,
                                         const traces::GraphRunner& runner,
                                         const ArrayConfig& array, const num::AccumConfig& cfg);

}  // namespace lbasim::sysc

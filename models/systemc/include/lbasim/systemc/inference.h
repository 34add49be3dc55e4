// One inference of a trace's network on the array: every conv/linear layer's GEMMs (one per
// group), lowered exactly as the trace executor lowers them, run through the SystemC model.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_config.h"
#include "lbasim/systemc/array_stats.h"
#include "lbasim/systemc/dataflow.h"
#include "lbasim/traces/executor.h"
#include "lbasim/traces/trace.h"

namespace lbasim::sysc {

// Sample 0 of the trace's captured layer inputs, W/A-quantized as `runner` does, through the
// array, layer by layer in graph order. dram[l] says which operands of GEMM layer l (index
// into runner.gemm_layers(), every group alike) go through the DRAM port; layers past its end
// keep everything on chip. Throws InputError if a layer has no captured input.
std::vector<LayerRun> simulate_inference(const traces::Trace& trace,
                                         const traces::GraphRunner& runner,
                                         const ArrayConfig& array, const num::AccumConfig& cfg,
                                         const std::vector<GemmDram>& dram = {});

// One layer as `lbasim run --array` reports it, with the fields `lbasim array --json` has:
// name, gemm, tiles, cycles, macs, utilization, dram, and latency_us at clock_mhz.
nlohmann::json to_json(const LayerRun& layer, double clock_mhz);

// The inference's totals: cycles, MACs, chunk adds, tiles, DRAM bytes and events summed over
// the layers (array of the first; utilization over the summed cycles; no per-PE counters).
ArrayStats inference_total(const std::vector<LayerRun>& layers);

}  // namespace lbasim::sysc

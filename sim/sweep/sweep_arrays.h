// A sweep's array runs: one inference (sample 0 of the trace's captures) on the SystemC array
// per (array, dataflow, chunk). Cycles and activity do not depend on the accumulator's format,
// only on the chunk size, so one accumulator (the spec's first) stands for all.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/inference.h"
#include "lbasim/traces/trace.h"

namespace lbasim::sweep {

using ArrayKey = std::tuple<std::string, std::string, std::int64_t>;  // array, dataflow, chunk

// `config(chunk)`: the accumulator configuration to run with; `progress(i)` is called before
// the i-th run (0-based).
std::map<ArrayKey, std::vector<sysc::LayerRun>> run_arrays(
    const traces::Trace& trace, const std::vector<ArrayKey>& keys,
    const std::function<num::AccumConfig(std::int64_t chunk)>& config,
    const std::function<void(std::size_t)>& progress);

}  // namespace lbasim::sweep

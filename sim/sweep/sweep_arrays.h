// A sweep's array runs: one inference (sample 0 of the trace's captures) on the SystemC array
// per (array, dataflow, chunk, PE). Cycles and activity of the FMAq PE do not depend on the
// accumulator's format, only on the chunk size, so one FMAq accumulator stands for all ("fmaq");
// a fused PE row runs its own array (its G sets the steps), keyed by the row's name.
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

// array, dataflow, chunk, PE ("fmaq" or a fused PE row's name, sweep_plan's array_pe)
using ArrayKey = std::tuple<std::string, std::string, std::int64_t, std::string>;

// `config(chunk, pe)`: the accumulator configuration to run with (a fused one for a fused PE:
// the array's PE kind follows it); `progress(i)` is called before the i-th run (0-based).
std::map<ArrayKey, std::vector<sysc::LayerRun>> run_arrays(
    const traces::Trace& trace, const std::vector<ArrayKey>& keys,
    const std::function<num::AccumConfig(std::int64_t chunk, const std::string& pe)>& config,
    const std::function<void(std::size_t)>& progress);

}  // namespace lbasim::sweep

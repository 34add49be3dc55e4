// Running GEMMs through the SystemC model of the array.
#pragma once

#include <cstdint>
#include <functional>

#include "lbasim/numerics/accumulate.h"
#include "lbasim/systemc/array_config.h"
#include "lbasim/systemc/array_stats.h"
#include "lbasim/systemc/dataflow.h"

namespace lbasim::sysc {

struct RunHooks {
  std::function<void(const OutputWord&)> on_output;      // every word leaving the array
  std::function<void(const CycleEvents&)> on_pe_events;  // per-PE events of each cycle
  std::function<void(std::uint64_t)> after_cycle;        // after each clock cycle (its index)
};

// Runs p on the array under the SystemC kernel, one clock edge per cycle, and returns the
// statistics; the results are in p.c. The kernel is elaborated once per process and reused, so
// any number of GEMMs may run one after another. Throws InputError on bad input.
ArrayStats run_gemm(const GemmProblem& p, const ArrayConfig& a, const num::AccumConfig& cfg,
                    const RunHooks& hooks = {});

}  // namespace lbasim::sysc

// `lbasim run --trace T --array RxC ...`: one inference of the trace on the SystemC array,
// per-layer cycles, utilization and latency (docs/systolic.md, "Whole networks").
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "array_options.h"
#include "lbasim/memory/buffers.h"
#include "lbasim/traces/gemm_layer.h"
#include "lbasim/traces/trace.h"

namespace lbasim::cli {

struct RunArrayOptions {
  ArrayOptions hw;
  std::string dram = "none";              // operands of every layer through the DRAM port
  std::string buffers_kib = "64,256,64";  // on-chip buffers A,W,O in KiB (docs/memory.md)
  bool enabled = false;                   // --array was given
};

// Adds the array options to run's "Array" group; every one of them needs --array.
void add_run_array_options(CLI::App& cmd, RunArrayOptions& opt);

// --buffers-kib parsed and validated (InputError naming the option and value).
memory::BufferConfig buffer_config(const RunArrayOptions& opt);

// Runs sample 0 of the trace's captured layer inputs through the array under the settings'
// config, prints the per-layer table and returns the JSON of `run --out`'s "array" key.
nlohmann::json run_trace_on_array(const traces::Trace& trace, const traces::GemmSettings& s,
                                  const RunArrayOptions& opt);

}  // namespace lbasim::cli

// Running a sweep: accuracy per (accumulator, chunk) on the trace, cycles and activity per
// (array, dataflow, chunk) on the SystemC array, area and energy from the cost tables; one
// JSON record per point, written atomically, reused when the sweep is run again.
#pragma once

#include <filesystem>

#include "sweep_spec.h"

namespace lbasim::sweep {

struct SweepOptions {
  std::filesystem::path out_dir;  // records go to out_dir/points/<id>.json
  int jobs = 2;                   // accuracy evaluations in parallel
  bool progress = true;           // progress lines on stderr
};

struct SweepSummary {
  int points = 0, computed = 0, reused = 0;
};

SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& options);

// Identity of a trace: FNV-1a of its manifest, as hex. Records of another trace are refused.
std::string trace_hash(const std::filesystem::path& trace_dir);

}  // namespace lbasim::sweep

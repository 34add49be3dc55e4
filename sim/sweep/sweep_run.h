// Running a sweep: plan (records to reuse), accuracy per (accumulator, chunk) on the trace,
// one inference per (array, dataflow, chunk) on the SystemC array, then one JSON record per
// point with area, power and energy from the power table and the memory model, written
// atomically and reused when the sweep is run again.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "sweep_plan.h"
#include "sweep_spec.h"

namespace lbasim::sweep {

struct SweepOptions {
  std::filesystem::path out_dir;  // records go to out_dir/points/<id>.json
  int jobs = 2;                   // accuracy evaluations in parallel
  bool progress = true;           // progress lines on stderr
  // Indices into expand(spec) to run (one Slurm array task); every point if unset.
  std::optional<std::vector<std::size_t>> only;
};

struct SweepSummary {
  int points = 0, computed = 0, reused = 0;
};

// The one way records are made: the local runner (every point) and a Slurm array task (`only`)
// both come here, so the same spec gives byte-identical records. A point whose record is already
// valid is reused. A point whose record cannot be written is left without one; the others are
// still written, then the first error is thrown.
SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& options);

}  // namespace lbasim::sweep

// Running a sweep: accuracy per (accumulator, chunk) on the trace, cycles and activity per
// (array, dataflow, chunk) on the SystemC array, area and energy from the cost tables; one
// JSON record per point, written atomically, reused when the sweep is run again.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

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
// valid is reused. A point that fails writes no record; the others are still written, then the
// first error is thrown. Test hook: LBASIM_SWEEP_FAIL_POINT=<id>[,<id>...] makes those points
// fail (docs/sweep.md).
SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& options);

// The checks run_sweep makes before any work (trace folder, accumulator names), for a submission
// to fail before it reaches the queue.
void check_spec(const SweepSpec& spec);

// "" if `rec` is the record this lbasim would write for `p` of `spec` on the trace with `hash`,
// else the dotted name of the first field that disagrees (id, lbasim_version, limit, trace.hash,
// point.accumulator, point.chunk, point.array, point.dataflow, point.buffering) with its value
// and the expected one.
std::string record_mismatch(const nlohmann::json& rec, const Point& p, const SweepSpec& spec,
                            const std::string& hash);

// The record at `path`, or null if it is absent or not valid JSON.
nlohmann::json read_record(const std::filesystem::path& path);

// Identity of a trace: FNV-1a of its manifest, as hex. Records of another trace are refused.
std::string trace_hash(const std::filesystem::path& trace_dir);

}  // namespace lbasim::sweep

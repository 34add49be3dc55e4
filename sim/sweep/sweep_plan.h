// Planning a sweep: which points of a spec need computing, from the records already written.
// A record is reused when it was made by this lbasim for the same trace, limit and point.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lbasim/cost/power_table.h"
#include "lbasim/numerics/accumulate.h"
#include "sweep_spec.h"

namespace lbasim::sweep {

// The array's buffering in every sweep point (the array's default); records made before it was
// modelled have no point.buffering and are recomputed.
const std::string& sweep_buffering();

// The accumulator configuration of a point: the table row's formats, one chunk size, and a
// fused PE row's order (G terms, F align bits, exact products).
num::AccumConfig point_config(const cost::PowerRow& row, std::int64_t chunk);

// The row named `name` of the sweep's PE (ws, chunk lane pe, 1 stage; the FMAq PE or the fused
// PE), or nullptr.
const cost::PowerRow* sweep_row(const cost::PowerTable& table, const std::string& name);

// The PE an accumulator's array runs with: "fmaq" (every FMAq row shares one run: cycles do
// not depend on the formats) or, for a fused PE row, the row's name (its G sets the cycles).
std::string array_pe(const cost::PowerRow& row);

// Every accumulator of the spec is a row of `table`; else InputError naming the spec's key.
void check_accumulators(const SweepSpec& spec, const cost::PowerTable& table);

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

struct SweepPlan {
  std::vector<Point> todo;  // points without a valid record, in expand() order
  int points = 0;           // points considered (all, or the task's)
  int reused = 0;           // of them, with a valid record
};

// The points of `spec` (the indices `only` into expand(spec), or all) whose record in
// `points_dir` is missing or stale.
SweepPlan plan_sweep(const SweepSpec& spec, const std::filesystem::path& points_dir,
                     const std::string& hash, const std::optional<std::vector<std::size_t>>& only);

}  // namespace lbasim::sweep

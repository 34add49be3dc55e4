// Collecting a sweep's records (after a Slurm job array, or a local run): every record must be
// the one this lbasim writes for its point of the spec on this trace, or the collection is
// refused; complete sets are merged into OUT/collected.json (input of `lbasim report`); missing
// points are named with what became of their array task.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sweep_spec.h"

namespace lbasim::sweep {

struct MissingPoint {
  std::size_t index = 0;  // into expand(spec)
  std::string id;
  std::optional<std::size_t> task;  // its array task, for a sweep submitted with --slurm
  bool queued = false;              // that task is still pending or running
  std::string status;               // "failed (exit 1) ...", "not run", ...
};

struct Collection {
  std::size_t points = 0;
  std::vector<MissingPoint> missing;
  std::filesystem::path merged;  // written only when nothing is missing
};

// InputError naming the record file and field for a record of another trace, lbasim version,
// limit or point, and for a record that is not a point of the spec.
Collection collect(const SweepSpec& spec, const std::filesystem::path& out_dir);

}  // namespace lbasim::sweep

#include "sweep_collect.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "lbasim/base/error.h"
#include "lbasim/base/json_field.h"
#include "slurm_jobs.h"
#include "sweep_run.h"

namespace lbasim::sweep {
namespace {

namespace fs = std::filesystem;

// The last line of `text` that starts with (or, if `anywhere`, contains) `marker`.
std::string last_line_with(const std::string& text, const std::string& marker, bool anywhere) {
  std::string found;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = std::min(text.find('\n', pos), text.size());
    const std::string line = text.substr(pos, nl - pos);
    if (anywhere ? line.find(marker) != std::string::npos : line.rfind(marker, 0) == 0)
      found = line;
    pos = nl + 1;
  }
  return found;
}

// What became of array task `task` of job `job`, from squeue and the task's log.
std::string task_status(const fs::path& out_dir, const std::string& job, std::size_t task,
                        bool queued) {
  if (queued) return fmt::format("pending or running (job {} task {})", job, task);
  const fs::path log = task_log(out_dir, job, task);
  std::ifstream in(log);
  if (!in) return fmt::format("not run (job {} task {} left no log {})", job, task, log.string());
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  // The job script's last line: "lbasim-sweep-task <i>: exit <rc>".
  const std::string end = last_line_with(text, "lbasim-sweep-task ", false);
  if (end.empty()) {
    // slurmstepd says why, e.g. "*** JOB 6 ON n1 CANCELLED AT ... ***" or "DUE TO TIME LIMIT".
    const std::string why = last_line_with(text, "***", true);
    return fmt::format(
        "killed (job {} task {} has no exit status{}); log {}", job, task,
        why.empty() ? ": time limit, preemption, scancel or node failure?" : "; " + why,
        log.string());
  }
  const std::string rc = end.substr(end.rfind(' ') + 1);
  if (rc == "0")
    return fmt::format("no record although job {} task {} exited 0 (record removed since?); log {}",
                       job, task, log.string());
  const std::string error = last_line_with(text, "error:", true);
  return fmt::format("failed (job {} task {}, exit {}){}; log {}", job, task, rc,
                     error.empty() ? "" : ": " + error, log.string());
}

}  // namespace

Collection collect(const SweepSpec& spec, const fs::path& out_dir) {
  const std::vector<Point> all = expand(spec);
  const std::string hash = trace_hash(spec.trace);
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < all.size(); ++i) index_of[all[i].id()] = i;

  // Every record present must be this spec's, for this trace and lbasim: mixing is refused.
  const fs::path points_dir = out_dir / "points";
  std::vector<nlohmann::json> records(all.size());
  std::error_code ec;
  if (fs::is_directory(points_dir, ec))
    for (const auto& e : fs::directory_iterator(points_dir)) {
      // Temporaries of an interrupted atomic write end in .tmp.<pid>: never read.
      if (!e.is_regular_file() || e.path().extension() != ".json") continue;
      const std::string id = e.path().stem().string();
      const auto it = index_of.find(id);
      if (it == index_of.end())
        throw InputError(
            fmt::format("{}: field 'id': \"{}\" is not a point of {} ({} points); "
                        "records of another sweep must not be mixed in",
                        e.path().string(), id, spec.source.string(), all.size()));
      nlohmann::json rec = read_json_file(e.path());
      const std::string bad = record_mismatch(rec, all[it->second], spec, hash);
      if (!bad.empty()) throw InputError(fmt::format("{}: {}", e.path().string(), bad));
      records[it->second] = std::move(rec);
    }

  Collection c;
  c.points = all.size();
  std::optional<SlurmState> state;
  if (fs::exists(state_path(out_dir))) state = read_state(out_dir);
  std::map<std::string, std::set<std::size_t>> queued;  // per job, asked once
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!records[i].is_null()) continue;
    MissingPoint m{i, all[i].id(), std::nullopt, false, "no record"};
    if (state) {
      const std::size_t task = i / state->batch;
      m.task = task;
      m.status = fmt::format("not submitted (task {})", task);
      for (auto j = state->jobs.rbegin(); j != state->jobs.rend(); ++j) {
        if (std::find(j->tasks.begin(), j->tasks.end(), task) == j->tasks.end()) continue;
        if (!queued.count(j->id)) queued[j->id] = queued_tasks(j->id);
        m.queued = queued[j->id].count(task) > 0;
        m.status = task_status(out_dir, j->id, task, m.queued);
        break;
      }
    }
    c.missing.push_back(std::move(m));
  }
  if (!c.missing.empty()) return c;

  nlohmann::json merged{{"points", records}};
  c.merged = out_dir / "collected.json";
  write_json_file(c.merged, merged);
  return c;
}

}  // namespace lbasim::sweep

// Running a sweep as a Slurm job array: array task i computes points [i*batch, (i+1)*batch) of
// expand(spec) in its own process through run_sweep, so its records are the local runner's.
// What was submitted is kept in OUT/slurm/submit.json so that --collect can name failed tasks
// and resubmit only those.
#pragma once

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sweep_spec.h"

namespace lbasim::sweep {

struct SlurmOptions {
  std::string partition, time;     // empty: the cluster's defaults
  int cpus = 1;                    // --cpus-per-task, and accuracy threads of each task
  int array_max = 0;               // at most this many tasks at once (%K); 0: no limit
  std::size_t batch = 1;           // points per array task
  std::vector<std::string> setup;  // shell lines run before lbasim (module load ...)
};

struct SubmittedJob {
  std::string id;
  std::vector<std::size_t> tasks;
};

// OUT/slurm/submit.json.
struct SlurmState {
  std::filesystem::path spec;  // absolute
  std::size_t batch = 1, points = 0;
  int array_max = 0;
  std::filesystem::path script;
  std::vector<SubmittedJob> jobs;  // in submission order
};

std::filesystem::path state_path(const std::filesystem::path& out_dir);
// Throws InputError naming the file if it is absent or damaged.
SlurmState read_state(const std::filesystem::path& out_dir);

// Indices into expand(spec) that array task `task` runs; InputError if there is no such task.
std::vector<std::size_t> task_points(std::size_t task, std::size_t batch, std::size_t points);
std::size_t task_count(std::size_t batch, std::size_t points);

// "0-3,7,9-10" for sorted task ids, as sbatch --array takes them.
std::string array_ranges(const std::vector<std::size_t>& tasks);

// The batch script (written to OUT/slurm/sweep.sbatch), without #SBATCH --array: that is given on
// the sbatch command line so that a resubmission reuses the script.
std::string job_script(const std::filesystem::path& lbasim, const std::filesystem::path& spec,
                       const std::filesystem::path& out_dir, const SlurmOptions& o);

// Writes the script and state and submits the tasks of every point without a valid record.
// Returns the job (id empty and no tasks if every point already has its record).
SubmittedJob submit_sweep(const SweepSpec& spec, const std::filesystem::path& spec_path,
                          const std::filesystem::path& out_dir, const SlurmOptions& o);

// Submits `tasks` again with the stored script; appends the job to the state.
SubmittedJob resubmit(const std::filesystem::path& out_dir, const std::vector<std::size_t>& tasks);

// Array task ids of job `id` still pending or running (squeue); empty if squeue does not know it.
std::set<std::size_t> queued_tasks(const std::string& job_id);

// OUT/slurm/logs/<job>_<task>.out: stdout and stderr of one array task.
std::filesystem::path task_log(const std::filesystem::path& out_dir, const std::string& job_id,
                               std::size_t task);

}  // namespace lbasim::sweep

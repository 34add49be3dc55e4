// lbasim sweep: accuracy, cycles, area and energy over a cross product of design points, run
// here, as one array task, or as a Slurm job array that --collect gathers (docs/sweep.md).
#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "commands.h"
#include "sweep/slurm_jobs.h"
#include "sweep/sweep_collect.h"
#include "sweep/sweep_run.h"
#include "sweep/sweep_spec.h"

namespace lbasim::cli {
namespace {

namespace fs = std::filesystem;

// Exit status of --collect when points are missing (0: complete, 1: bad or mixed records).
constexpr int kIncomplete = 3;

struct Options {
  std::string spec, out = "sweep-out", collect;
  int jobs = 2;
  bool slurm = false, resubmit = false;
  sweep::SlurmOptions slurm_opt;
  std::size_t task = 0;
  bool task_given = false;
};

void run_collect(const Options& o) {
  const fs::path out = o.collect;
  const fs::path spec_path = o.spec.empty() ? sweep::read_state(out).spec : fs::path(o.spec);
  const sweep::SweepSpec spec = sweep::read_spec(spec_path);
  const sweep::Collection c = sweep::collect(spec, out);
  if (c.missing.empty()) {
    fmt::print("collect: {} of {} points -> {}; next: lbasim report --in {}\n", c.points, c.points,
               c.merged.string(), c.merged.string());
    return;
  }
  fmt::print("collect: {} of {} points have no record:\n", c.missing.size(), c.points);
  std::set<std::size_t> tasks;
  for (const auto& m : c.missing) {
    fmt::print("  {} (point {}): {}\n", m.id, m.index, m.status);
    if (m.task && !m.queued) tasks.insert(*m.task);
  }
  if (o.resubmit) {
    if (tasks.empty()) {
      fmt::print("resubmit: nothing to resubmit (the missing points are still queued)\n");
    } else {
      const sweep::SubmittedJob job = sweep::resubmit(out, {tasks.begin(), tasks.end()});
      fmt::print("resubmitted: job {} (array {})\n", job.id, sweep::array_ranges(job.tasks));
    }
  } else if (!tasks.empty()) {
    fmt::print("resubmit them with: lbasim sweep --collect {} --resubmit\n", out.string());
  }
  std::fflush(stdout);
  std::exit(kIncomplete);
}

void run(const Options& o) {
  if (!o.collect.empty()) return run_collect(o);
  if (o.spec.empty()) throw CLI::RequiredError("--spec (or --collect DIR)");
  const sweep::SweepSpec spec = sweep::read_spec(o.spec);
  if (o.slurm) {
    const sweep::SubmittedJob job = sweep::submit_sweep(spec, o.spec, o.out, o.slurm_opt);
    if (job.id.empty()) {
      fmt::print("sweep: every point already has its record in {}/points; nothing submitted\n",
                 o.out);
      return;
    }
    // stdout's first line is the job id alone, for scripts.
    fmt::print("{}\n", job.id);
    std::fflush(stdout);
    fmt::print(stderr,
               "sweep: submitted job {} (array {}, {} point(s) per task); when it is done: "
               "lbasim sweep --collect {}\n",
               job.id, sweep::array_ranges(job.tasks), o.slurm_opt.batch, o.out);
    return;
  }
  sweep::SweepOptions so{o.out, o.jobs, true, std::nullopt};
  if (o.task_given)
    so.only = sweep::task_points(o.task, o.slurm_opt.batch, sweep::expand(spec).size());
  const sweep::SweepSummary s = sweep::run_sweep(spec, so);
  fmt::print("sweep: {} points: {} computed, {} reused; records in {}/points\n", s.points,
             s.computed, s.reused, o.out);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "sweep",
      "Accuracy, cycles, area and energy for every point of accumulators x chunks x "
      "arrays x dataflows over a trace (resumable; locally or as a Slurm job array)");
  cmd->add_option("--spec", opt->spec, "Sweep spec JSON (see docs/sweep.md)");
  cmd->add_option("--out,-o", opt->out, "Output folder: one record per point in OUT/points/")
      ->capture_default_str();
  cmd->add_option("--jobs,-j", opt->jobs, "Accuracy evaluations run in parallel")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  auto* slurm = cmd->add_flag("--slurm", opt->slurm,
                              "Submit a Slurm job array (sbatch) instead of running here; prints "
                              "the job id")
                    ->group("Slurm");
  auto* task = cmd->add_option("--task", opt->task,
                               "Run only array task TASK: points [TASK*BATCH, TASK*BATCH+BATCH) "
                               "of the spec (what each array task runs)")
                   ->group("Slurm");
  cmd->add_option("--batch", opt->slurm_opt.batch, "Points per array task")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group("Slurm");
  cmd->add_option("--partition", opt->slurm_opt.partition, "sbatch --partition")->group("Slurm");
  cmd->add_option("--time", opt->slurm_opt.time, "sbatch --time limit per array task")
      ->group("Slurm");
  cmd->add_option("--cpus", opt->slurm_opt.cpus,
                  "sbatch --cpus-per-task, and accuracy threads per task")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group("Slurm");
  cmd->add_option("--array-max", opt->slurm_opt.array_max,
                  "At most this many array tasks at once (--array=...%K)")
      ->check(CLI::PositiveNumber)
      ->group("Slurm");
  cmd->add_option("--setup", opt->slurm_opt.setup,
                  "Shell line run in each task before lbasim, e.g. 'module load systemc' "
                  "(repeatable)")
      ->group("Slurm");
  auto* collect = cmd->add_option("--collect", opt->collect,
                                  "Check the records in DIR (spec from DIR/slurm/submit.json "
                                  "unless --spec), name missing and failed points; if complete "
                                  "write DIR/collected.json. Exit 3 if points are missing")
                      ->group("Slurm");
  auto* resubmit = cmd->add_flag("--resubmit", opt->resubmit,
                                 "With --collect: submit the array tasks of the missing points "
                                 "again")
                       ->group("Slurm");
  resubmit->needs(collect);
  slurm->excludes(task)->excludes(collect);
  task->excludes(collect);
  task->each([opt](const std::string&) { opt->task_given = true; });
  cmd->footer(
      "Points whose record already exists for the same trace, lbasim version, limit and "
      "point are reused: rerun the same command to resume. Then: lbasim report --in OUT "
      "(or OUT/collected.json after --collect). A point whose record cannot be written is "
      "left without one; the others are kept (exit 1).");
  cmd->callback([opt] { run(*opt); });
}

}  // namespace lbasim::cli

// lbasim sweep: accuracy, cycles, area and energy over a cross product of design points.
#include <fmt/core.h>

#include <memory>
#include <string>

#include "commands.h"
#include "sweep/sweep_run.h"
#include "sweep/sweep_spec.h"

namespace lbasim::cli {

void add_sweep_command(CLI::App& app) {
  struct Options {
    std::string spec, out = "sweep-out";
    int jobs = 2;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "sweep", "Accuracy, cycles, area and energy for every point of accumulators x chunks x "
               "arrays x dataflows over a trace (resumable)");
  cmd->add_option("--spec", opt->spec, "Sweep spec JSON (see docs/sweep.md)")->required();
  cmd->add_option("--out,-o", opt->out, "Output folder: one record per point in OUT/points/")
      ->capture_default_str();
  cmd->add_option("--jobs,-j", opt->jobs, "Accuracy evaluations run in parallel")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->footer("Points whose record already exists for the same trace and lbasim version are "
              "reused: rerun the same command to resume. Then: lbasim report --in OUT");
  cmd->callback([opt] {
    const sweep::SweepSpec spec = sweep::read_spec(opt->spec);
    const sweep::SweepSummary s = sweep::run_sweep(spec, {opt->out, opt->jobs, true});
    fmt::print("sweep: {} points: {} computed, {} reused; records in {}/points\n", s.points,
               s.computed, s.reused, opt->out);
  });
}

}  // namespace lbasim::cli

#include "sweep_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "lbasim/base/atomic_file.h"
#include "lbasim/memory/network.h"
#include "sweep_accuracy.h"
#include "sweep_arrays.h"
#include "sweep_record.h"

namespace lbasim::sweep {

SweepSummary run_sweep(const SweepSpec& spec, const SweepOptions& opt) {
  const traces::Trace trace = traces::read_trace(spec.trace);
  const cost::PowerTable table = cost::read_power_table(cost::default_power_table());
  check_accumulators(spec, table);

  RecordContext ctx;
  ctx.trace_name = trace.name;
  ctx.trace_dir = std::filesystem::weakly_canonical(spec.trace);
  ctx.trace_hash = trace_hash(spec.trace);
  ctx.limit = spec.limit;
  ctx.clock_mhz = std::numeric_limits<double>::infinity();
  for (const auto& name : spec.accumulators)
    ctx.clock_mhz = std::min(ctx.clock_mhz, sweep_row(table, name)->fmax_mhz);
  ctx.network = memory::network_from_trace(trace);
  ctx.mem = memory::MemoryCosts::at_180nm();
  ctx.buffers = spec.buffers;

  const auto points_dir = opt.out_dir / "points";
  std::filesystem::create_directories(points_dir);
  const SweepPlan plan = plan_sweep(spec, points_dir, ctx.trace_hash, opt.only);
  SweepSummary summary{plan.points, static_cast<int>(plan.todo.size()), plan.reused};
  if (plan.todo.empty()) return summary;

  std::set<AccuracyKey> acc_keys;
  std::set<ArrayKey> array_keys;
  for (const Point& p : plan.todo) {
    acc_keys.insert({p.accumulator, p.chunk});
    array_keys.insert({p.array, p.dataflow, p.chunk, array_pe(*sweep_row(table, p.accumulator))});
  }
  // Accuracy in a pool of threads while the SystemC array (one kernel per process) runs here.
  AccuracyRuns accuracy_runs(trace, table, spec.limit, {acc_keys.begin(), acc_keys.end()},
                             opt.jobs);
  const std::vector<ArrayKey> array_list(array_keys.begin(), array_keys.end());
  // The FMAq runs take the spec's first FMAq accumulator, a fused run its own row.
  const cost::PowerRow* first_fmaq = nullptr;
  for (const auto& name : spec.accumulators)
    if (!first_fmaq && array_pe(*sweep_row(table, name)) == "fmaq")
      first_fmaq = sweep_row(table, name);
  const auto arrays = run_arrays(
      trace, array_list,
      [&](std::int64_t chunk, const std::string& pe) {
        return point_config(pe == "fmaq" ? *first_fmaq : *sweep_row(table, pe), chunk);
      },
      [&](std::size_t i) {
        if (!opt.progress) return;
        const auto& [shape, df, chunk, pe] = array_list[i];
        fmt::print(stderr,
                   "sweep: array {} {} chunk {} PE {} ({} of {} array runs; accuracy {}/{})\n",
                   shape, df, chunk, pe, i + 1, array_list.size(), accuracy_runs.done(),
                   accuracy_runs.total());
      });
  const auto accuracy = accuracy_runs.wait();

  std::exception_ptr first_error;
  for (const Point& p : plan.todo) {
    try {
      const cost::PowerRow& row = *sweep_row(table, p.accumulator);
      const nlohmann::json rec =
          make_record(ctx, p, row, accuracy.at({p.accumulator, p.chunk}),
                      arrays.at({p.array, p.dataflow, p.chunk, array_pe(row)}));
      write_file_atomic(points_dir / (p.id() + ".json"), rec.dump(1) + "\n");
    } catch (...) {
      --summary.computed;
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
  return summary;
}

}  // namespace lbasim::sweep

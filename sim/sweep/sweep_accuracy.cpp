#include "sweep_accuracy.h"

#include <algorithm>

#include "sweep_plan.h"

namespace lbasim::sweep {

AccuracyRuns::AccuracyRuns(const traces::Trace& trace, const cost::PowerTable& table,
                           std::int64_t limit, std::vector<AccuracyKey> keys, int jobs)
    : trace_(trace), table_(table), limit_(limit), keys_(std::move(keys)) {
  for (int t = 0; t < std::max(1, jobs); ++t) pool_.emplace_back([this] { work(); });
}

AccuracyRuns::~AccuracyRuns() {
  next_ = keys_.size();
  for (auto& th : pool_)
    if (th.joinable()) th.join();
}

void AccuracyRuns::work() {
  for (std::size_t i; (i = next_++) < keys_.size();) {
    try {
      const auto& [name, chunk] = keys_[i];
      traces::GemmSettings settings;
      settings.config = point_config(*sweep_row(table_, name), chunk);
      traces::EvalOptions eo;
      eo.limit = limit_;
      eo.threads = 1;  // the pool is the parallelism
      traces::RunReport r = traces::evaluate(trace_, settings, eo);
      std::lock_guard lock(mu_);
      reports_.emplace(keys_[i], std::move(r));
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
      next_ = keys_.size();  // no point starting more
    }
    ++done_;
  }
}

std::map<AccuracyKey, traces::RunReport> AccuracyRuns::wait() {
  for (auto& th : pool_)
    if (th.joinable()) th.join();
  if (error_) std::rethrow_exception(error_);
  return std::move(reports_);
}

}  // namespace lbasim::sweep

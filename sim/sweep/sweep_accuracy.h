// A sweep's accuracy runs: the trace evaluated under each (accumulator, chunk), in a pool of
// threads that runs while the caller does other work (the SystemC array, one kernel per
// process, runs in the calling thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lbasim/cost/power_table.h"
#include "lbasim/traces/evaluate.h"
#include "lbasim/traces/trace.h"

namespace lbasim::sweep {

using AccuracyKey = std::pair<std::string, std::int64_t>;  // accumulator, chunk

class AccuracyRuns {
 public:
  // Starts max(1, jobs) threads evaluating `limit` images of `trace` for every key; `trace` and
  // `table` must outlive the object.
  AccuracyRuns(const traces::Trace& trace, const cost::PowerTable& table, std::int64_t limit,
               std::vector<AccuracyKey> keys, int jobs);
  ~AccuracyRuns();  // stops early and joins
  AccuracyRuns(const AccuracyRuns&) = delete;
  AccuracyRuns& operator=(const AccuracyRuns&) = delete;

  std::size_t done() const { return done_; }
  std::size_t total() const { return keys_.size(); }
  // Joins the threads; rethrows the first error of a run.
  std::map<AccuracyKey, traces::RunReport> wait();

 private:
  void work();

  const traces::Trace& trace_;
  const cost::PowerTable& table_;
  std::int64_t limit_;
  std::vector<AccuracyKey> keys_;
  std::map<AccuracyKey, traces::RunReport> reports_;
  std::mutex mu_;
  std::atomic<std::size_t> next_{0}, done_{0};
  std::exception_ptr error_;
  std::vector<std::thread> pool_;
};

}  // namespace lbasim::sweep
